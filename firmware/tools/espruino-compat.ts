// Static checker for a built firmware bundle: finds every construct and global that
// the Espruino interpreter (2v25+) lacks, as listed in shared/espruino.md. The build
// runs it on each bundle and fails on any finding; a test feeds it bad inputs.
import * as acorn from 'acorn';
import * as walk from 'acorn-walk';

export interface CompatFinding {
  rule: string;
  message: string;
  line: number;
  column: number;
}

type AnyNode = acorn.Node & { [key: string]: any };

/** Globals Espruino does not have at all. */
const MISSING_GLOBALS = ['Map', 'Set', 'WeakMap', 'WeakSet', 'WeakRef', 'Symbol', 'Proxy', 'Reflect', 'BigInt', 'globalThis'];

/** Static members Espruino lacks on globals it does have. */
const MISSING_MEMBERS: { [object: string]: string[] } = {
  Array: ['from', 'of'],
  Object: ['freeze', 'isFrozen', 'seal', 'fromEntries', 'getOwnPropertySymbols'],
  Number: ['isInteger', 'isFinite', 'isSafeInteger', 'EPSILON', 'MAX_SAFE_INTEGER', 'MIN_SAFE_INTEGER'],
  Math: ['trunc', 'hypot', 'log10', 'log2', 'log1p', 'expm1', 'cbrt', 'tanh', 'sinh', 'cosh', 'fround', 'clz32', 'imul'],
  Promise: ['allSettled', 'any'],
};

/** Syntax Espruino rejects or misparses, by acorn node type. */
const UNSUPPORTED_SYNTAX: { [nodeType: string]: string } = {
  AssignmentPattern: 'default parameter or default value in a pattern',
  RestElement: 'rest parameter or rest element',
  SpreadElement: 'spread (f(...a), [...a], {...o})',
  ObjectPattern: 'object destructuring',
  ArrayPattern: 'array destructuring',
  ChainExpression: 'optional chaining (?.)',
  LabeledStatement: 'label (continue/break to a label)',
  TaggedTemplateExpression: 'tagged template',
  MetaProperty: 'new.target / import.meta',
  ImportExpression: 'dynamic import',
  PrivateIdentifier: 'private class member (#x)',
  StaticBlock: 'class static block',
  YieldExpression: 'generator (yield)',
  AwaitExpression: 'async/await',
};

function position(source: string, offset: number): { line: number; column: number } {
  const loc = acorn.getLineInfo(source, offset);
  return { line: loc.line, column: loc.column };
}

/** Scope-creating node: Program or any function. */
function isFunctionNode(node: AnyNode): boolean {
  return node.type === 'FunctionDeclaration' || node.type === 'FunctionExpression' || node.type === 'ArrowFunctionExpression';
}

/** Collect names declared with `let`/`const` inside a loop head or loop body (not in nested functions). */
function loopScopedNames(loop: AnyNode): string[] {
  const names: string[] = [];
  const addDecl = (decl: AnyNode) => {
    if (decl && decl.type === 'VariableDeclaration' && decl.kind !== 'var') {
      for (const d of decl.declarations) if (d.id.type === 'Identifier') names.push(d.id.name);
    }
  };
  addDecl(loop.init);
  addDecl(loop.left);
  const visitBlock = (node: AnyNode) => {
    if (!node) return;
    if (node.type === 'VariableDeclaration') addDecl(node);
    if (node.type === 'BlockStatement') for (const s of node.body) visitBlock(s);
  };
  visitBlock(loop.body);
  return names;
}

/** Does `fn` (a function node) mention identifier `name` anywhere in its body? */
function mentions(fn: AnyNode, name: string): boolean {
  let found = false;
  walk.full(fn as acorn.Node, (n: AnyNode) => {
    if (n.type === 'Identifier' && n.name === name) found = true;
  });
  return found;
}

function checkLoopClosures(ast: acorn.Node, report: (rule: string, msg: string, node: AnyNode) => void): void {
  walk.full(ast, (node: AnyNode) => {
    if (!/^(For|ForIn|ForOf|While|DoWhile)Statement$/.test(node.type)) return;
    const names = loopScopedNames(node);
    if (names.length === 0) return;
    walk.full(node.body as acorn.Node, (inner: AnyNode) => {
      if (!isFunctionNode(inner)) return;
      for (const name of names) {
        if (mentions(inner, name)) {
          report('loop-closure', `closure over loop-scoped '${name}': Espruino gives let/const no fresh binding per iteration`, inner);
        }
      }
    });
  });
}

/** Calls, executed directly in a scope, to a function declared later in the same scope. */
function checkUseBeforeDeclaration(ast: acorn.Node, report: (rule: string, msg: string, node: AnyNode) => void): void {
  const scopes: AnyNode[] = [ast as AnyNode];
  walk.full(ast, (n: AnyNode) => {
    if (isFunctionNode(n)) scopes.push(n);
  });
  for (const scope of scopes) {
    const body: AnyNode[] = scope.type === 'Program' ? scope.body : scope.body && scope.body.type === 'BlockStatement' ? scope.body.body : [];
    const declaredAt: { [name: string]: number } = {};
    for (const stmt of body) if (stmt.type === 'FunctionDeclaration' && stmt.id) declaredAt[stmt.id.name] = stmt.start;
    if (Object.keys(declaredAt).length === 0) continue;
    for (const stmt of body) {
      // walk statements of this scope, but not into nested functions (they run later)
      const visit = (node: AnyNode) => {
        if (!node || typeof node.type !== 'string') return;
        if (isFunctionNode(node)) return;
        if (node.type === 'CallExpression' && node.callee.type === 'Identifier') {
          const at = declaredAt[node.callee.name];
          if (at !== undefined && node.start < at) {
            report('use-before-declaration', `'${node.callee.name}' is called before its declaration: Espruino does not hoist functions`, node);
          }
        }
        for (const key of Object.keys(node)) {
          const child = node[key];
          if (Array.isArray(child)) child.forEach(visit);
          else if (child && typeof child === 'object' && typeof child.type === 'string') visit(child);
        }
      };
      visit(stmt);
    }
  }
}

interface ClassInfo {
  name: string;
  superName?: string;
  statics: string[];
}

/** `Sub.m` where `m` is static on an ancestor but not on `Sub`: Espruino does not inherit statics. */
function checkStaticInheritance(ast: acorn.Node, report: (rule: string, msg: string, node: AnyNode) => void): void {
  const classes: { [name: string]: ClassInfo } = {};
  const record = (name: string | undefined, cls: AnyNode) => {
    if (!name) return;
    const statics: string[] = [];
    for (const m of cls.body.body) {
      if (m.static && m.key && m.key.type === 'Identifier') statics.push(m.key.name);
    }
    classes[name] = { name, superName: cls.superClass && cls.superClass.type === 'Identifier' ? cls.superClass.name : undefined, statics };
  };
  walk.full(ast, (n: AnyNode) => {
    if (n.type === 'ClassDeclaration') record(n.id && n.id.name, n);
    if (n.type === 'VariableDeclarator' && n.init && n.init.type === 'ClassExpression' && n.id.type === 'Identifier') record(n.id.name, n.init);
  });
  const inheritedStatic = (cls: ClassInfo, member: string): boolean => {
    if (cls.statics.indexOf(member) >= 0) return false;
    let parent = cls.superName ? classes[cls.superName] : undefined;
    for (let depth = 0; parent && depth < 32; depth++) {
      if (parent.statics.indexOf(member) >= 0) return true;
      parent = parent.superName ? classes[parent.superName] : undefined;
    }
    return false;
  };
  walk.full(ast, (n: AnyNode) => {
    if (n.type !== 'MemberExpression' || n.computed || n.object.type !== 'Identifier' || n.property.type !== 'Identifier') return;
    const cls = classes[n.object.name];
    if (cls && cls.superName && inheritedStatic(cls, n.property.name)) {
      report('static-inheritance', `'${cls.name}.${n.property.name}' relies on a static inherited from '${cls.superName}'`, n);
    }
  });
}

/** `class _C { … _C … }` used as an expression: the name is not visible inside on Espruino. */
function checkNamedClassExpressions(ast: acorn.Node, report: (rule: string, msg: string, node: AnyNode) => void): void {
  walk.full(ast, (n: AnyNode) => {
    if (n.type !== 'ClassExpression' || !n.id) return;
    const name = n.id.name;
    let selfRef = false;
    walk.full(n.body as acorn.Node, (inner: AnyNode) => {
      if (inner.type === 'Identifier' && inner.name === name) selfRef = true;
    });
    if (selfRef) report('named-class-expression', `named class expression '${name}' refers to itself inside its body`, n);
  });
}

/** Depth-first walk that also hands each node its parent. */
function visitWithParent(node: AnyNode, parent: AnyNode | null, fn: (node: AnyNode, parent: AnyNode | null) => void): void {
  fn(node, parent);
  for (const key of Object.keys(node)) {
    const child = node[key];
    if (Array.isArray(child)) {
      for (const c of child) if (c && typeof c.type === 'string') visitWithParent(c, node, fn);
    } else if (child && typeof child === 'object' && typeof child.type === 'string') {
      visitWithParent(child, node, fn);
    }
  }
}

/** Check one bundle's source text. Returns every finding; an empty list means Espruino-safe. */
export function checkEspruinoCompat(source: string): CompatFinding[] {
  const findings: CompatFinding[] = [];
  const report = (rule: string, message: string, node: AnyNode) => {
    const pos = position(source, node.start);
    findings.push({ rule, message, line: pos.line, column: pos.column });
  };
  let ast: acorn.Node;
  try {
    ast = acorn.parse(source, { ecmaVersion: 'latest', sourceType: 'script', allowHashBang: false });
  } catch (e) {
    const err = e as Error & { loc?: { line: number; column: number } };
    return [{ rule: 'parse', message: err.message, line: err.loc ? err.loc.line : 0, column: err.loc ? err.loc.column : 0 }];
  }

  visitWithParent(ast as AnyNode, null, (node: AnyNode) => {
    const syntax = UNSUPPORTED_SYNTAX[node.type];
    if (syntax) report('syntax', `unsupported syntax: ${syntax}`, node);
    if (isFunctionNode(node) && (node.async || node.generator)) report('syntax', `unsupported syntax: ${node.async ? 'async function' : 'generator function'}`, node);
    if (node.type === 'Property' && node.computed) report('syntax', 'unsupported syntax: computed object key', node);
    if (node.type === 'BinaryExpression' && node.operator === '**') report('syntax', 'unsupported syntax: exponent operator (**)', node);
    if (node.type === 'AssignmentExpression' && (node.operator === '**=' || node.operator === '??=' || node.operator === '||=' || node.operator === '&&=')) {
      report('syntax', `unsupported syntax: ${node.operator}`, node);
    }
    if (node.type === 'Literal' && node.bigint !== undefined) report('syntax', 'unsupported syntax: BigInt literal', node);
    if (node.type === 'ForOfStatement' && node.await) report('syntax', 'unsupported syntax: for await', node);
    if (node.type === 'MemberExpression' && !node.computed && node.property.type === 'Identifier') {
      if (node.object.type === 'Identifier') {
        const missing = MISSING_MEMBERS[node.object.name];
        if (missing && missing.indexOf(node.property.name) >= 0) report('global', `'${node.object.name}.${node.property.name}' does not exist on Espruino`, node);
      }
      if (node.property.name === 'finally') report('global', "'Promise.prototype.finally' does not exist on Espruino", node);
    }
    // checked on the 2v29 interpreter: `a.length = 0` throws "Assignment to a constant"
    if (node.type === 'AssignmentExpression' && node.left.type === 'MemberExpression' && !node.left.computed &&
      node.left.property.type === 'Identifier' && node.left.property.name === 'length') {
      report('length-assignment', "assigning '.length' throws on Espruino (Assignment to a constant): use a new array or splice", node);
    }
  });

  visitWithParent(ast as AnyNode, null, (node, parent) => {
    if (node.type !== 'Identifier' || MISSING_GLOBALS.indexOf(node.name) < 0) return;
    const isPropertyName =
      parent && ((parent.type === 'MemberExpression' && parent.property === node && !parent.computed) ||
        ((parent.type === 'Property' || parent.type === 'MethodDefinition' || parent.type === 'PropertyDefinition') && parent.key === node && !parent.computed));
    if (!isPropertyName) report('global', `global '${node.name}' does not exist on Espruino`, node);
  });

  checkLoopClosures(ast, report);
  checkUseBeforeDeclaration(ast, report);
  checkStaticInheritance(ast, report);
  checkNamedClassExpressions(ast, report);

  findings.sort((a, b) => a.line - b.line || a.column - b.column);
  return findings;
}

export function formatFindings(file: string, findings: CompatFinding[]): string {
  return findings.map((f) => `${file}:${f.line}:${f.column + 1}: [${f.rule}] ${f.message}`).join('\n');
}
