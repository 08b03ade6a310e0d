// A bounded load test of waypoint-server (a measurement, not a CTest test):
// C concurrent clients x R streaming chat requests each, 127.0.0.1 only.
// Checks that no request fails and that every greedy answer equals the answer
// to the same request made alone; reports the server's resident memory after
// a warm-up round and at the end, the wall time and aggregate tokens/s, as
// JSON on stdout.
// usage: node load_test.mjs WAYPOINT_SERVER CHECKPOINT [--clients 16] [--requests 25] [--parallel 4] [-- server args...]
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import OpenAI from "openai";

const argv = process.argv.slice(2);
const [serverBin, checkpoint] = argv;
const opt = (name, dflt) => {
  const i = argv.indexOf(name);
  return i >= 0 ? Number(argv[i + 1]) : dflt;
};
const clients = opt("--clients", 16), perClient = opt("--requests", 25), parallel = opt("--parallel", 4);
const dd = argv.indexOf("--");
const extra = dd >= 0 ? argv.slice(dd + 1) : [];
if (!serverBin || !checkpoint) {
  console.error("usage: node load_test.mjs WAYPOINT_SERVER CHECKPOINT [--clients N] [--requests N] [--parallel N] [-- server args]");
  process.exit(2);
}

const proc = spawn(serverBin, ["--checkpoint", checkpoint, "--port", "0", "--parallel", String(parallel), ...extra],
                   { stdio: ["ignore", "pipe", "inherit"] });
const url = await new Promise((resolve, reject) => {
  createInterface({ input: proc.stdout }).once("line", (line) => {
    const m = /^listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(line);
    m ? resolve(m[1]) : reject(new Error(`unexpected first line: ${line}`));
  });
  proc.once("exit", (c) => reject(new Error(`server exited with ${c}`)));
});
const rssMiB = () => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${proc.pid}/status`, "utf8"));
  return Math.round((Number(m[1]) / 1024) * 10) / 10;
};

const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: "unused", maxRetries: 0, timeout: 120000 });
// Sums the demo model answers; other checkpoints just continue the text.
const prompts = Array.from({ length: 20 }, (_, i) => `${100 + 37 * i}+${200 + 11 * i}=`);
const request = (i) => ({ model: undefined, temperature: 0, max_tokens: 16, stream: true,
                          messages: [{ role: "user", content: prompts[i % prompts.length] }] });

async function streamOne(i) {
  let text = "", tokens = 0;
  const stream = await client.chat.completions.create({ ...request(i), stream_options: { include_usage: true } });
  for await (const chunk of stream) {
    text += chunk.choices[0]?.delta?.content ?? "";
    if (chunk.usage) tokens = chunk.usage.completion_tokens;
  }
  return { text, tokens };
}

// The single-request answers (one at a time), which also warm the server up.
const expected = [];
for (let i = 0; i < prompts.length; i++) expected.push((await streamOne(i)).text);
const rssAfterWarmup = rssMiB();

let failed = 0, mismatched = 0, tokens = 0, done = 0;
const rssSamples = [];
const sampler = setInterval(() => rssSamples.push(rssMiB()), 200);
const t0 = performance.now();
await Promise.all(Array.from({ length: clients }, async (_, c) => {
  for (let r = 0; r < perClient; r++) {
    const i = c * perClient + r;
    try {
      const got = await streamOne(i);
      tokens += got.tokens;
      if (got.text !== expected[i % prompts.length]) mismatched++;
      done++;
    } catch (e) {
      failed++;
      console.error(`request ${i} failed: ${e.message}${e.cause ? ` (${e.cause.message}; ${e.cause.cause?.code ?? ""} ${e.cause.cause?.message ?? ""})` : ""}`);
    }
  }
}));
const seconds = (performance.now() - t0) / 1000;
clearInterval(sampler);
const rssEnd = rssMiB();

proc.kill("SIGTERM");
const exitCode = await new Promise((resolve) => proc.once("exit", (code) => resolve(code)));

const result = {
  clients, requests_per_client: perClient, parallel, requests: clients * perClient,
  completed: done, failed, mismatched_greedy: mismatched,
  seconds: Math.round(seconds * 100) / 100,
  requests_per_s: Math.round((done / seconds) * 10) / 10,
  generated_tokens: tokens, tokens_per_s: Math.round(tokens / seconds),
  rss_mib_after_warmup: rssAfterWarmup, rss_mib_max_during: Math.max(...rssSamples, rssEnd), rss_mib_end: rssEnd,
  server_exit_code: exitCode,
};
console.log(JSON.stringify(result, null, 1));
process.exit(failed === 0 && mismatched === 0 && exitCode === 0 ? 0 : 1);
