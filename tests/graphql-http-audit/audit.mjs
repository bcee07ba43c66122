// Runs the graphql-http server audits (GraphQL over HTTP conformance) against a running server.
//   node audit.mjs http://127.0.0.1:8000/graphql
// Prints every audit that is not ok, then one summary line of JSON; exits 1 on any error or warn.
import { auditServer } from 'graphql-http';

const url = process.argv[2] ?? process.env.AUDIT_URL;
if (!url) {
  console.error('usage: node audit.mjs URL');
  process.exit(2);
}

const results = await auditServer({ url });
const counts = { ok: 0, notice: 0, warn: 0, error: 0 };
for (const result of results) {
  counts[result.status] += 1;
  if (result.status !== 'ok') {
    const body = await result.response.text();
    console.log(`${result.status.toUpperCase()} ${result.id} ${result.name}`);
    console.log(`  ${result.reason}; got ${result.response.status}: ${body.slice(0, 300)}`);
  }
}
console.log(JSON.stringify({ total: results.length, ...counts }));
process.exit(counts.error + counts.warn > 0 ? 1 : 0);
