'use strict';
// Stellar StrKeys (SEP-23) for the Node tests: version byte + payload + CRC16-XModem (little
// end), base32 without padding. Tests need many distinct *valid* addresses, because the gateway
// refuses rooms for invalid ones. Shared by the interop and end-to-end tests.

function crc16xmodem(bytes) {
  let crc = 0;
  for (const b of bytes) {
    crc ^= b << 8;
    for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

function base32(bytes) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  let out = '';
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  return out;
}

const VERSION_BYTES = { G: 6 << 3, C: 2 << 3 };

// `kind` is 'G' (account) or 'C' (contract); `payload` the 32 key bytes.
function encodeStrkey(kind, payload) {
  const version = VERSION_BYTES[kind];
  if (version === undefined) throw new Error(`unknown StrKey kind ${kind}`);
  const body = Buffer.concat([Buffer.from([version]), payload]);
  const crc = crc16xmodem(body);
  return base32(Buffer.concat([body, Buffer.from([crc & 0xff, crc >> 8])]));
}

module.exports = { encodeStrkey, crc16xmodem, base32 };
