// @stellarstream/pulse-client: a typed Socket.IO client for StellarStream Pulse.
//
//   const pulse = connectPulse('http://localhost:3000', { address: 'GA7Q…' });   // or { token }
//   pulse.onNewStream((s) => console.log(s.streamId, s.status));
//   pulse.onBalanceUpdate((b) => console.log(b.address, b.newBalance));
//
// It joins the user's room `stream-{address}` on every connect, so a reconnect (network loss,
// gateway restart, another replica behind the proxy) ends up in the room again without the app
// doing anything.
import { io } from 'socket.io-client';
import type { ManagerOptions, Socket, SocketOptions } from 'socket.io-client';

import type {
  AuthCode,
  AuthErrorPayload,
  AuthRefusal,
  BalanceUpdatePayload,
  ClientToServerEvents,
  JoinedRoomPayload,
  NewStreamPayload,
  RoomAck,
  RoomAckError,
  RoomErrorPayload,
  ServerToClientEvents,
} from './events.js';

export type * from './events.js';

export type PulseSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface PulseOptions {
  /** Sent as the Socket.IO handshake's `auth: { token }` (a SEP-10 JWT when the gateway runs with auth). */
  token?: string;
  /** The account whose room to join. Default: the account in the token's `sub` claim. */
  address?: string;
  /** How long to wait for the join acknowledgement before reporting an error (ms, default 10000). */
  joinTimeoutMs?: number;
  /** Passed to socket.io-client's `io()` (transports, reconnection delays, path, ...). */
  socket?: Partial<ManagerOptions & SocketOptions>;
}

export interface JoinInfo {
  /** 1 for the first join, 2 after the first reconnect, ... */
  count: number;
  /** The transport the socket used when the join was confirmed ('polling' or 'websocket'). */
  transport: string;
}

export interface PulseConnection {
  readonly socket: PulseSocket;
  readonly address: string;
  readonly room: string;
  /** Every `new-stream` pushed to the room; returns a function that unsubscribes. */
  onNewStream(listener: (payload: NewStreamPayload) => void): () => void;
  /** Every `balance-update` pushed to the room; returns a function that unsubscribes. */
  onBalanceUpdate(listener: (payload: BalanceUpdatePayload) => void): () => void;
  /** Each confirmed (re)join of the room. */
  onJoined(listener: (payload: JoinedRoomPayload, info: JoinInfo) => void): () => void;
  /**
   * A refused join (bad address, another account's room), a refused connect (with the gateway's
   * JWT auth: err.authCode says why), an expired token (auth-error), or a join that timed out.
   */
  onError(listener: (error: PulseError) => void): () => void;
  /** The token the next (re)connect sends, e.g. a renewed one before the current one expires. */
  setToken(token: string): void;
  /** Resolves once the room is joined (at once when it is already joined on this connection). */
  joined(): Promise<JoinedRoomPayload>;
  /** Closes the connection (the gateway takes it out of the room); no more reconnects. */
  close(): void;
}

export type PulseErrorKind = 'room-error' | 'connect-error' | 'auth-error' | 'join-timeout';

export class PulseError extends Error {
  constructor(
    message: string,
    readonly kind: PulseErrorKind,
    readonly detail?: RoomErrorPayload | RoomAckError | AuthRefusal | AuthErrorPayload,
  ) {
    super(message);
    this.name = 'PulseError';
  }

  /** Why the gateway's JWT auth refused the connection or ended it; undefined otherwise. */
  get authCode(): AuthCode | undefined {
    return this.detail && 'code' in this.detail ? this.detail.code : undefined;
  }
}

// connect_error's data, when it is the gateway's auth refusal.
function authRefusal(data: unknown): AuthRefusal | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const { code, reason } = data as { code?: unknown; reason?: unknown };
  return typeof code === 'string' && typeof reason === 'string' ? (data as AuthRefusal) : undefined;
}

// The account of a SEP-10 JWT's `sub` ("G…", "M…" or "G…:memo"). Only read, not verified: the
// gateway verifies the token; this just saves passing the address twice.
export function addressFromToken(token: string): string | undefined {
  const part = token.split('.')[1];
  if (!part) return undefined;
  try {
    const base64 = part.replace(/-/g, '+').replace(/_/g, '/');
    const json = JSON.parse(decodeBase64(base64 + '='.repeat((4 - (base64.length % 4)) % 4))) as unknown;
    if (typeof json !== 'object' || json === null) return undefined;
    const sub = (json as { sub?: unknown }).sub;
    return typeof sub === 'string' && sub !== '' ? sub.split(':')[0] : undefined;
  } catch {
    return undefined;
  }
}

function decodeBase64(text: string): string {
  const binary = atob(text);
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

type Listener<T extends unknown[]> = (...args: T) => void;

class Listeners<T extends unknown[]> {
  private readonly set = new Set<Listener<T>>();
  add(fn: Listener<T>): () => void {
    this.set.add(fn);
    return () => {
      this.set.delete(fn);
    };
  }
  emit(...args: T): void {
    for (const fn of [...this.set]) fn(...args);
  }
}

export function connectPulse(url: string, options: PulseOptions = {}): PulseConnection {
  const address = options.address ?? (options.token ? addressFromToken(options.token) : undefined);
  if (!address) throw new TypeError('connectPulse needs options.address or a token whose sub is the account');
  const room = `stream-${address}`;
  const joinTimeoutMs = options.joinTimeoutMs ?? 10000;

  const socketOptions: Partial<ManagerOptions & SocketOptions> = { ...options.socket };
  if (options.token !== undefined) socketOptions.auth = { token: options.token };
  const socket: PulseSocket = io(url, socketOptions);

  const joinedListeners = new Listeners<[JoinedRoomPayload, JoinInfo]>();
  const errorListeners = new Listeners<[PulseError]>();
  let joins = 0;
  let current: JoinedRoomPayload | undefined; // the join of the current connection
  let waiting: Array<(p: JoinedRoomPayload) => void> = [];

  const join = () => {
    current = undefined;
    socket.timeout(joinTimeoutMs).emit('join-stream-room', address, (err: Error | null, answer: RoomAck) => {
      if (err) {
        if (socket.connected) errorListeners.emit(new PulseError(`no answer to join-stream-room within ${joinTimeoutMs} ms`, 'join-timeout'));
        return;
      }
      if (!answer.ok) errorListeners.emit(new PulseError(answer.error, 'room-error', answer));
    });
  };

  socket.on('connect', join);
  socket.on('joined-room', (payload) => {
    if (payload.roomName !== room) return;
    current = payload;
    joins += 1;
    joinedListeners.emit(payload, { count: joins, transport: socket.io.engine?.transport?.name ?? 'unknown' });
    const resolve = waiting;
    waiting = [];
    for (const r of resolve) r(payload);
  });
  socket.on('room-error', (payload: RoomErrorPayload) => {
    // The negative acknowledgement reports it too; this catches refusals of joins made without one.
    if (payload.userAddress !== address) errorListeners.emit(new PulseError(payload.error, 'room-error', payload));
  });
  socket.on('connect_error', (err) => {
    errorListeners.emit(new PulseError(err.message, 'connect-error', authRefusal((err as Error & { data?: unknown }).data)));
  });
  socket.on('auth-error', (payload) => errorListeners.emit(new PulseError(payload.reason, 'auth-error', payload)));

  return {
    socket,
    address,
    room,
    onNewStream(listener) {
      socket.on('new-stream', listener);
      return () => {
        socket.off('new-stream', listener);
      };
    },
    onBalanceUpdate(listener) {
      socket.on('balance-update', listener);
      return () => {
        socket.off('balance-update', listener);
      };
    },
    onJoined: (listener) => joinedListeners.add(listener),
    onError: (listener) => errorListeners.add(listener),
    setToken(token) {
      socket.auth = { token };
    },
    joined() {
      if (current && socket.connected) return Promise.resolve(current);
      return new Promise((resolve) => waiting.push(resolve));
    },
    close() {
      socket.off('connect', join);
      socket.close();
    },
  };
}
