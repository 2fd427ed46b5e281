// Applies fossil deltas made by the relay's FossilDelta with the centrifuge SDK's own code, for
// FossilDeltaClientTest. The SDK does not export its applier; every client has one codec holding it
// (applyDeltaIfNeeded, what a subscription calls per publication), so the script builds a client
// that never connects and calls that codec: the JSON build's for publications whose data is a JSON
// string, the Protobuf build's for raw bytes.
//
// FOSSIL_CASES: one JSON case per line, {id, codec: "json"|"protobuf", pubs: [{delta, data}]}, data
// being the JSON string the wire carries (json) or base64 (protobuf); the first pub is whole.
// FOSSIL_RESULTS: written with one line per case, {id, values: [base64 of each decoded pub]} or
// {id, error}. Last stdout line: {"cases", "errors"}.
import { readFileSync, writeFileSync } from 'node:fs';
import { Centrifuge } from 'centrifuge';
import { Centrifuge as CentrifugeProtobuf } from 'centrifuge/build/protobuf';

const endpoint = 'ws://127.0.0.1:9/never-connected';
const codecs = {
  json: new Centrifuge(endpoint, {})._codec,
  protobuf: new CentrifugeProtobuf(endpoint, {})._codec,
};
for (const [name, codec] of Object.entries(codecs)) {
  if (codec?.name() !== name || typeof codec.applyDeltaIfNeeded !== 'function') {
    throw new Error(`the ${name} client has no codec with applyDeltaIfNeeded: the SDK changed`);
  }
}

const lines = readFileSync(process.env.FOSSIL_CASES, 'utf8').split('\n').filter((l) => l !== '');
const results = [];
let errors = 0;
for (const line of lines) {
  const c = JSON.parse(line);
  const codec = codecs[c.codec];
  const values = [];
  let prev;
  try {
    for (const pub of c.pubs) {
      const data = c.codec === 'protobuf' ? new Uint8Array(Buffer.from(pub.data, 'base64')) : pub.data;
      const { newPrevValue } = codec.applyDeltaIfNeeded({ delta: pub.delta, data }, prev);
      values.push(Buffer.from(newPrevValue).toString('base64'));
      prev = newPrevValue;
    }
    results.push(JSON.stringify({ id: c.id, values }));
  } catch (e) {
    errors++;
    results.push(JSON.stringify({ id: c.id, error: String(e?.message ?? e) }));
  }
}
writeFileSync(process.env.FOSSIL_RESULTS, results.join('\n') + '\n');
console.log(JSON.stringify({ cases: lines.length, errors }));
