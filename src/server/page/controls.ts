/**
 * The controls panel: a token (kept in the tab's session storage), pause and resume trading, the
 * kill switch and its reset, and a replay's speed, hold, play and seek. Each control is an HTTP
 * `POST /api/control` with the token as a bearer token; the server's answer and status are shown
 * as they come (`403: …` when the server has no token and the page is read-only).
 */
import type { ControlAction, ControlAnswer, ControlRequest, SessionView } from '../protocol.js';
import { byId, setText } from './dom.js';
import { fmtDateTimeMs } from './format.js';

/** Where the token is kept: per tab, gone when the tab closes. */
const TOKEN_KEY = 'scalper-dashboard-token';

const BUTTONS = [
  'btn-pause',
  'btn-resume',
  'btn-kill',
  'btn-reset',
  'btn-speed',
  'btn-hold',
  'btn-play',
] as const;
const INPUTS = ['token', 'speed-select', 'speed-input', 'seek'] as const;

function storedToken(): string {
  try {
    return sessionStorage.getItem(TOKEN_KEY) ?? '';
  } catch {
    return '';
  }
}

/** What the server answered to a control: its status and text. */
export function answerText(status: number, body: string): { ok: boolean; text: string } {
  let message = body.trim();
  try {
    const a = JSON.parse(body) as Partial<ControlAnswer> & { error?: string };
    if (typeof a.message === 'string') message = a.message;
    else if (typeof a.error === 'string') message = a.error;
  } catch {
    // Not JSON: the body as it is.
  }
  return { ok: status === 200, text: `${status}: ${message || '(no message)'}` };
}

/** The controls panel, wired to its elements. */
export class Controls {
  #session: SessionView | null = null;
  #seeking = false;
  #busy = 0;

  constructor() {
    const token = byId<HTMLInputElement>('token');
    token.value = storedToken();
    token.addEventListener('input', () => {
      try {
        sessionStorage.setItem(TOKEN_KEY, token.value);
      } catch {
        // Storage refused (a private window): the token lives in the field only.
      }
    });
    const on = (id: string, f: () => void) => byId(id).addEventListener('click', f);
    on('btn-pause', () => this.send('pause'));
    on('btn-resume', () => this.send('resume'));
    on('btn-kill', () => {
      if (confirm('Kill switch: cancel every working order and close every position?')) this.send('kill');
    });
    on('btn-reset', () => this.send('reset'));
    on('btn-hold', () => this.send('hold'));
    on('btn-play', () => this.send('play'));
    const speedSelect = byId<HTMLSelectElement>('speed-select');
    speedSelect.addEventListener('change', () => this.send('speed', Number(speedSelect.value)));
    on('btn-speed', () => {
      const v = Number(byId<HTMLInputElement>('speed-input').value);
      if (!(v > 0)) {
        this.#show(false, 'speed: enter a number above 0');
        return;
      }
      this.send('speed', v);
    });
    const seek = byId<HTMLInputElement>('seek');
    seek.addEventListener('input', () => {
      this.#seeking = true;
      setText(byId('seek-label'), fmtDateTimeMs(Number(seek.value)));
    });
    seek.addEventListener('change', () => {
      this.#seeking = false;
      this.send('seek', Number(seek.value));
    });
  }

  /** Shows the controls as the session allows: disabled when read-only, the replay's only in a replay. */
  draw(s: SessionView): void {
    const prev = this.#session;
    this.#session = s;
    if (prev === null || prev.controls !== s.controls) {
      for (const id of [...BUTTONS, ...INPUTS])
        (byId(id) as HTMLButtonElement | HTMLInputElement).disabled = !s.controls;
      setText(byId('controls-note'), s.controls ? '' : 'read-only: the server has no control token');
    }
    const replay = byId('replay');
    replay.hidden = s.mode === 'live';
    const seek = byId<HTMLInputElement>('seek');
    // Without a span to move in (a paper session's own feed), there is nothing to seek.
    const label = seek.parentElement;
    if (label !== null) label.hidden = s.range === null;
    byId('seek-label').hidden = s.range === null;
    if (s.range !== null && !this.#seeking) {
      seek.min = String(s.range.fromMs);
      seek.max = String(s.range.toMs);
      if (s.nowMs !== null) seek.value = String(s.nowMs);
      setText(byId('seek-label'), fmtDateTimeMs(s.nowMs));
    }
    const speedSelect = byId<HTMLSelectElement>('speed-select');
    if (
      document.activeElement !== speedSelect &&
      [...speedSelect.options].some((o) => Number(o.value) === s.speed)
    )
      speedSelect.value = String(s.speed);
    setText(byId('btn-hold'), s.held ? 'Held' : 'Hold');
  }

  /** Posts `{action, value}` to /api/control with the token; shows the answer. */
  async send(action: ControlAction, value?: number): Promise<void> {
    const token = byId<HTMLInputElement>('token').value.trim();
    const body: ControlRequest = value === undefined ? { action } : { action, value };
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (token !== '') headers.authorization = `Bearer ${token}`;
    const n = ++this.#busy;
    this.#show(null, `${action}…`);
    try {
      const res = await fetch('/api/control', { method: 'POST', headers, body: JSON.stringify(body) });
      const a = answerText(res.status, await res.text());
      if (n === this.#busy) this.#show(a.ok, `${action}: ${a.text}`);
    } catch (e) {
      if (n === this.#busy) this.#show(false, `${action}: no answer (${(e as Error).message})`);
    }
  }

  #show(ok: boolean | null, text: string): void {
    const el = byId('control-answer');
    el.className = `answer ${ok === null ? '' : ok ? 'ok' : 'bad'}`;
    el.dataset.ok = ok === null ? '' : String(ok);
    setText(el, text);
  }
}
