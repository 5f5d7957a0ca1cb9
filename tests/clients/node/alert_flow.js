// Drives one alert through Tocsin with Opsgenie's Node client, as its users call it:
// node alert_flow.js HOST KEY. Prints one JSON object: what each call answered.
"use strict";

const opsgenie = require("opsgenie-sdk");
const [host, apiKey] = process.argv.slice(2);
opsgenie.configure({ host, api_key: apiKey });
const alerts = opsgenie.alertV2;

function call(method, ...args) {
  return new Promise((resolve, reject) => {
    alerts[method](...args, (error, result) => (error ? reject({ method, error }) : resolve(result)));
  });
}

async function alertIdOf(requestId) {
  for (let attempt = 0; attempt < 100; attempt++) {
    const status = await call("getRequestStatus", requestId, null);
    if (status.data && status.data.isSuccess) return status.data.alertId;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error("the create request never finished");
}

async function main() {
  const seen = {};
  const created = await call("create", { message: "Node client: disk full", alias: "node-disk", priority: "P2" }, null);
  seen.created = created.result;
  const id = await alertIdOf(created.requestId);
  seen.got = (await call("get", { identifier: "node-disk", identifierType: "alias" }, null)).data;
  seen.listed = (await call("list", { limit: 10 }, null)).data.map((alert) => alert.id);
  // The client's HTTP layer (requestretry) drops the Authorization header when a query value
  // looks like a URL, as "status:open" does, unless told not to sanitize headers.
  const query = { query: "status:open", limit: 10 };
  seen.searched = (await call("list", query, { skipHeaderSanitize: true })).data.map((alert) => alert.id);
  await call("addNote", { identifier: id, identifierType: "id" }, { note: "from node", user: "ada" }, null);
  await call("acknowledge", { identifier: id, identifierType: "id" }, { note: "mine" }, null);
  await call("close", { identifier: "node-disk", identifierType: "alias" }, { note: "fixed" }, null);
  seen.closed = (await call("get", { identifier: id, identifierType: "id" }, null)).data;
  seen.id = id;
  process.stdout.write(JSON.stringify(seen) + "\n");
}

main().catch((failure) => {
  process.stderr.write(JSON.stringify(failure) + "\n");
  process.exit(1);
});
