// Practitioner settings and presets, with their limits (../shared/domain.md: protrusion
// 0.5–1.5 mm typical, 50–150 strokes/s working range, 1RL/3RL needles 0.18–0.35 mm).

export const DEPTH_MIN_MM = 0.2;
export const DEPTH_MAX_MM = 2.0;
export const DEPTH_STEP_MM = 0.01;
export const RATE_MIN = 50;
export const RATE_MAX = 150;
/** Handset increments per button press. */
export const DEPTH_BUTTON_STEP_MM = 0.05;
export const RATE_BUTTON_STEP = 5;
export const MAX_PRESETS = 8;

export interface Preset {
  name: string;
  depth: number;
  rate: number;
  /** needle configuration, e.g. '1RL', '3RL' */
  needle: string;
  /** needle diameter, mm */
  dia: number;
  /** what a practitioner may adjust to on the handset */
  depthMin: number;
  depthMax: number;
  rateMin: number;
  rateMax: number;
}

export interface Settings {
  preset: number;
  depth: number;
  rate: number;
  pedal: 'hold' | 'toggle';
  /** minutes idle before powering down the drive stage and LED */
  autoOffMin: number;
  /** longest continuous run, minutes */
  maxRunMin: number;
  /** idle the drive down when the needle is lifted off the skin */
  idleInAir: boolean;
  /** hard depth limit per needle configuration (technician-set, SERVICE only), mm */
  limits: { [needle: string]: number };
}

export const DEFAULT_PRESETS: Preset[] = [
  { name: 'hairline', depth: 0.8, rate: 120, needle: '1RL', dia: 0.25, depthMin: 0.5, depthMax: 1.1, rateMin: 100, rateMax: 140 },
  { name: 'density', depth: 1.0, rate: 120, needle: '3RL', dia: 0.3, depthMin: 0.7, depthMax: 1.4, rateMin: 90, rateMax: 150 },
  { name: 'scar', depth: 1.3, rate: 90, needle: '1RL', dia: 0.25, depthMin: 0.9, depthMax: 1.8, rateMin: 60, rateMax: 120 },
];

export function defaultSettings(): Settings {
  return {
    preset: 0, depth: DEFAULT_PRESETS[0].depth, rate: DEFAULT_PRESETS[0].rate, pedal: 'hold',
    autoOffMin: 10, maxRunMin: 30, idleInAir: true, limits: { '1RL': 2.0, '3RL': 2.0 },
  };
}

export function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}

/** Round to the 0.01 mm setpoint grid. */
export function roundDepth(mm: number): number {
  return Math.round(mm / DEPTH_STEP_MM) * DEPTH_STEP_MM;
}

/** The hard depth limit for a preset's needle (default 2.0 mm, never above DEPTH_MAX_MM). */
export function limitFor(settings: Settings, preset: Preset): number {
  const l = settings.limits[preset.needle];
  return Math.min(typeof l === 'number' ? l : DEPTH_MAX_MM, DEPTH_MAX_MM);
}

/** Is `p` a well-formed preset within the pen's ranges? */
export function isPreset(p: any): boolean {
  if (!p || typeof p.name !== 'string' || p.name.length < 1 || p.name.length > 16) return false;
  if (typeof p.needle !== 'string' || !(p.dia >= 0.18 && p.dia <= 0.35)) return false;
  if (!(p.depthMin >= DEPTH_MIN_MM && p.depthMax <= DEPTH_MAX_MM && p.depthMin <= p.depth && p.depth <= p.depthMax)) return false;
  if (!(p.rateMin >= RATE_MIN && p.rateMax <= RATE_MAX && p.rateMin <= p.rate && p.rate <= p.rateMax)) return false;
  return true;
}
