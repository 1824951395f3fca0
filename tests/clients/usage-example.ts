// Compiled with `tsc --strict` by tests/clients/types.test.mjs: what an app written against
// @stellarstream/pulse-client looks like, and (the @ts-expect-error lines) what the generated
// types refuse. A wrong payload field, event name or argument type must not compile.
import { connectPulse, type NewStreamPayload, type PulseConnection, type RoomAck } from '@stellarstream/pulse-client';

const pulse: PulseConnection = connectPulse('http://localhost:3000', {
  address: 'GA7QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJVSGZ',
  socket: { transports: ['websocket'] },
});
const withToken = connectPulse('http://localhost:3000', { token: 'header.payload.signature' });

const streams: NewStreamPayload[] = [];
const stop = pulse.onNewStream((s) => {
  const status: 'ACTIVE' | 'CANCELED' = s.status;
  const amount: string = s.amount;
  streams.push(s);
  console.log(s.streamId, s.sender, s.receiver, status, amount, s.timestamp);
  // @ts-expect-error new-stream carries no newBalance
  console.log(s.newBalance);
});
stop();

pulse.onBalanceUpdate((b) => {
  const balance: string = b.newBalance;
  console.log(b.address, balance, b.timestamp);
  // @ts-expect-error amounts are decimal strings, never numbers
  const n: number = b.newBalance;
  console.log(n);
});

pulse.onJoined((joined, info) => console.log(joined.roomName, joined.userAddress, info.count, info.transport));
pulse.onError((err) => console.log(err.kind, err.message));
// With the gateway's JWT auth: why a connect was refused, and a renewed token for the next one.
withToken.onError((err) => {
  if (err.kind === 'connect-error' && err.authCode === 'expired') withToken.setToken('renewed.header.token');
  // @ts-expect-error not one of the gateway's refusal codes
  if (err.authCode === 'timeout') console.log('never');
});
withToken.socket.on('auth-error', (e) => console.log(e.code, e.reason));

// The raw socket is typed by the generated event maps too.
pulse.socket.on('room-error', (e) => console.log(e.error, e.userAddress));
pulse.socket.on('left-room', (e) => console.log(e.roomName));
// @ts-expect-error not an event of the gateway
pulse.socket.on('new-streams', () => {});
// @ts-expect-error the address is a string
pulse.socket.emit('join-stream-room', 42, () => {});

async function leave(): Promise<void> {
  const ack: RoomAck = await pulse.socket.timeout(5000).emitWithAck('leave-stream-room', pulse.address);
  if (ack.ok) console.log('left', ack.roomName);
  else console.log('refused', ack.error);
  // @ts-expect-error roomName exists only on a positive ack
  console.log(ack.roomName);
  const joined = await pulse.joined();
  console.log(joined.roomName);
}
void leave();
withToken.close();
