/**
 * The FIX session of the broker: jspurefix's ASCII session (logon, heartbeats, test requests,
 * sequence numbers, resend requests and gap fills), with what order entry needs changed:
 *
 * - A Logout answering our Logon is a refusal, told with the counterparty's text (jspurefix
 *   ignores a Logout in that state and reports only a dropped transport).
 * - A message whose CheckSum(10) does not match is ignored (jspurefix does not check it on an
 *   initiator): its number is not taken, so the resend that the next message's gap asks for
 *   brings it again.
 * - A message numbered below what we expect, without PossDupFlag, ends the session (FIX session
 *   rule, jspurefix's behaviour); it is told first, so the reason is not lost.
 * - Application messages are taken in every state after logon: jspurefix drops the session when
 *   one arrives while it awaits the answer to a test request or serves a resend request, and an
 *   execution report can always arrive then.
 * - A session Reject (3) of one of our messages reaches the broker (jspurefix only logs it).
 * - A resend request for what we sent is answered at once with one gap fill (SequenceReset,
 *   GapFillFlag=Y): an order is never sent twice. jspurefix answers it from a store it never
 *   fills, asynchronously, in a state that drops any execution report arriving meanwhile.
 */
import type { IJsFixConfig, ILooseObject, Jspf, MsgTransport, MsgView } from './engine.js';

/** What the session tells the broker. */
export interface SessionHost {
  /** Logged on: the counterparty answered our Logon. */
  ready(): void;
  /** An application message (the view is valid only during the call). */
  application(msgType: string, view: MsgView): void;
  /** The counterparty answered our Logon with a Logout: its text. */
  refused(text: string): void;
  /** Something the broker should hear of (sequence trouble). */
  problem(message: string): void;
  /** The session ended (with the error that ended it, if any). */
  stopped(error?: Error): void;
  /** Every message received, as text with `|` between fields (for logs and tests). */
  received?(msgType: string, text: string): void;
  /** Decides a counterparty's Logon (an acceptor's question; default: accept). */
  logon?(user: string, password: string): boolean | Promise<boolean>;
  /**
   * Answers a resend request for our messages `begin`..`end` (default: one gap fill over them).
   * A counterparty that replays what it sent (a venue's execution reports) answers it itself.
   */
  resend?(begin: number, end: number): void;
}

/** The session's outgoing sequence counter (jspurefix's transmitter). */
interface Counter {
  msgSeqNum: number;
}

/** What the broker (and the test venue) use of a session. */
export interface BrokerSession {
  readonly config: IJsFixConfig;
  /** Sends an application message; `sent` hears the sequence number it went out under. */
  sendMessage(
    msgType: string,
    body: ILooseObject,
    sent?: (seqNum: number | null, error: Error | null) => void,
  ): void;
  /** Skips our messages `begin`..`next - 1` with one SequenceReset (GapFillFlag=Y, PossDupFlag=Y). */
  gapFill(begin: number, next: number): void;
  /** The next sequence number this session will send. */
  readonly nextSeqNum: number;
  /** The last sequence number received and taken in order. */
  readonly lastPeerSeq: number;
  /** Whether the session is logged on and not logging out. */
  readonly loggedOn: boolean;
  /** Runs the session on a connection until it ends. */
  run(transport: MsgTransport): Promise<number>;
  /** Clears what a previous connection left (not the sequence numbers). */
  reset(): void;
  /** Logs out. */
  done(): void;
  /** Ends the session now. */
  requestStop(reason: string): void;
}

export type BrokerSessionClass = new (config: IJsFixConfig, host: SessionHost) => BrokerSession;

const cache = new WeakMap<Jspf, BrokerSessionClass>();

/** The broker's session class for the loaded jspurefix `j` (one per process). */
export function brokerSessionClass(j: Jspf): BrokerSessionClass {
  const hit = cache.get(j);
  if (hit !== undefined) return hit;
  const made = makeClass(j) as unknown as BrokerSessionClass;
  cache.set(j, made);
  return made;
}

function makeClass(j: Jspf) {
  const S = j.SessionState;
  const BEFORE_LOGON = new Set<number>([
    S.Idle,
    S.InitiateConnection,
    S.InitiationLogonSent,
    S.WaitingForALogon,
  ]);
  const AWAITING = new Set<number>([
    S.HandleResendRequest,
    S.AwaitingProcessingResponseToTestRequest,
    S.AwaitingProcessingResponseToResendRequest,
  ]);

  return class BrokerSession extends j.AsciiSession {
    readonly #host: SessionHost;

    constructor(config: IJsFixConfig, host: SessionHost) {
      super(config);
      this.#host = host;
      // jspurefix emits 'error' when a session ends badly, also outside a run; without a
      // listener Node would throw it. The end is reported through onStopped.
      this.on('error', () => {});
    }

    sendMessage(
      msgType: string,
      body: ILooseObject,
      sent?: (seqNum: number | null, error: Error | null) => void,
    ): void {
      this.send(msgType, body, (error, result) => {
        const seq = result.header?.MsgSeqNum;
        sent?.(typeof seq === 'number' ? seq : null, error);
      });
    }

    get nextSeqNum(): number {
      const t = this.transport?.transmitter as unknown as Counter | undefined;
      return t?.msgSeqNum ?? 0;
    }

    get lastPeerSeq(): number {
      return this.sessionState.lastPeerMsgSeqNum;
    }

    get loggedOn(): boolean {
      const s = this.getState();
      return (
        !BEFORE_LOGON.has(s) && s !== S.Stopped && s !== S.WaitingLogoutConfirm && s !== S.ConfirmingLogout
      );
    }

    protected override onMsg(msgType: string, view: MsgView): void {
      const sum = Number(view.getString(j.MsgTag.CheckSum));
      if (sum !== view.checksum()) {
        // A garbled message is ignored, its number not taken (FIX session layer): the next
        // message shows the gap, and the counterparty's resend brings it again intact.
        this.#host.problem(
          `a ${msgType} MsgSeqNum ${view.getString(j.MsgTag.MsgSeqNum)} failed its CheckSum (${sum}, computed ${view.checksum()}): ignored`,
        );
        return;
      }
      if (msgType === j.MsgType.Logout && this.getState() === S.InitiationLogonSent)
        this.#host.refused(view.getString(j.MsgTag.Text) ?? '');
      const seq = Number(view.getString(j.MsgTag.MsgSeqNum));
      const last = this.sessionState.lastPeerMsgSeqNum;
      const reset = msgType === j.MsgType.Logon && view.getString(j.MsgTag.ResetSeqNumFlag) === 'Y';
      const possDup = view.getString(j.MsgTag.PossDupFlag) === 'Y';
      if (msgType !== j.MsgType.SequenceReset && !reset && !possDup && seq <= last)
        this.#host.problem(
          `MsgSeqNum ${seq} of a ${msgType} is below the ${last + 1} expected and not a possible duplicate: the session ends`,
        );
      super.onMsg(msgType, view);
    }

    protected override onSessionMsg(msgType: string, view: MsgView): void {
      super.onSessionMsg(msgType, view);
      // jspurefix keeps a session Reject to itself; it is about one of our messages (an order).
      if (msgType === j.MsgType.Reject) this.#host.application(msgType, view);
    }

    protected override checkForwardMsg(msgType: string, view: MsgView): void {
      const state = this.getState();
      if (BEFORE_LOGON.has(state)) {
        super.checkForwardMsg(msgType, view);
        return;
      }
      if (AWAITING.has(state)) {
        // Any message shows the counterparty alive: the test request is answered.
        this.sessionState.lastTestRequestAt = null;
        this.setState(S.ActiveNormalSession);
      }
      this.onApplicationMsg(msgType, view);
    }

    protected override onResendRequest(view: MsgView): void {
      const begin = Number(view.getString(j.MsgTag.BeginSeqNo));
      const asked = Number(view.getString(j.MsgTag.EndSeqNo));
      const last = this.nextSeqNum - 1;
      const end = asked === 0 || asked > last ? last : asked;
      if (!Number.isInteger(begin) || begin < 1 || begin > end) return;
      if (this.#host.resend !== undefined) {
        this.#host.resend(begin, end);
        return;
      }
      this.gapFill(begin, end + 1);
    }

    gapFill(begin: number, next: number): void {
      const gapFill = this.config.factory?.sequenceReset(next, true);
      if (!gapFill) return;
      gapFill.StandardHeader = { PossDupFlag: true, MsgSeqNum: begin, SendingTime: new Date() };
      this.send(j.MsgType.SequenceReset, gapFill);
    }

    protected onApplicationMsg(msgType: string, view: MsgView): void {
      this.#host.application(msgType, view);
    }

    protected onReady(): void {
      this.#host.ready();
    }

    protected onStopped(error?: Error): void {
      this.#host.stopped(error);
    }

    protected onLogon(_view: MsgView, user: string, password: string): boolean | Promise<boolean> {
      return this.#host.logon?.(user, password) ?? true;
    }

    protected onDecoded(msgType: string, txt: string): void {
      this.#host.received?.(msgType, txt);
    }

    protected onEncoded(): void {}
  };
}
