// A stand-in for the browser's `navigator.serial`, injected into the page before its own
// scripts (page.addInitScript({ path })): requestPort() gives a port whose streams carry the
// bytes to the console server's virtual pen over the WebSocket's `pen` channel, as a USB
// cable would. The page never calls navigator.serial itself: @espruino-tools/core's Web
// Serial endpoint does, so what this records (window.serialStandIn) shows that path ran.
// Browser JavaScript, run as it is.
(() => {
  const rec = { requestPort: 0, open: null, written: 0, read: 0, chunkTypes: [] };
  window.serialStandIn = rec;

  class StandInPort {
    constructor() {
      this.readable = null;
      this.writable = null;
      this.ws = undefined;
    }

    async open(opts) {
      rec.open = opts;
      const ws = new WebSocket(`ws://${location.host}/ws`);
      this.ws = ws;
      await new Promise((resolve, reject) => {
        ws.onopen = () => resolve();
        ws.onerror = () => reject(new Error('the stand-in could not reach the console server'));
      });
      let ctrl;
      this.readable = new ReadableStream({ start: (c) => { ctrl = c; } });
      ws.onmessage = (ev) => {
        const m = JSON.parse(ev.data);
        if (m.t !== 'pen' || !m.d) return;
        const bin = atob(m.d);
        const b = new Uint8Array(bin.length);
        for (let i = 0; i < bin.length; i++) b[i] = bin.charCodeAt(i);
        rec.read += b.length;
        ctrl.enqueue(b);
      };
      ws.onclose = () => { try { ctrl.close(); } catch { /* already closed */ } };
      this.writable = new WritableStream({
        write: (chunk) => {
          rec.chunkTypes.push(Object.prototype.toString.call(chunk).slice(8, -1));
          const b = chunk instanceof ArrayBuffer ? new Uint8Array(chunk) : new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
          rec.written += b.length;
          let s = '';
          for (const x of b) s += String.fromCharCode(x);
          ws.send(JSON.stringify({ t: 'pen', d: btoa(s) }));
        },
      });
    }

    async close() {
      if (this.ws) this.ws.close();
    }

    getInfo() {
      return {};
    }
  }

  Object.defineProperty(navigator, 'serial', {
    configurable: true,
    value: { requestPort: async () => { rec.requestPort++; return new StandInPort(); }, getPorts: async () => [] },
  });
})();
