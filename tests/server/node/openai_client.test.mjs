// The official OpenAI Node client (npm "openai", installed by scripts/setup.sh
// with `npm ci` from package-lock.json) against a real waypoint-server on
// 127.0.0.1 with the demo checkpoint: models, completions, chat, streaming vs
// plain, n, stop strings, seeds, logprobs, and errors as the client's types.
// usage: node openai_client.test.mjs WAYPOINT_SERVER WAYPOINT_CLI CHECKPOINT
import { spawn, execFileSync } from "node:child_process";
import { createInterface } from "node:readline";
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import OpenAI from "openai";

const [serverBin, cliBin, checkpoint] = process.argv.slice(2);
if (!serverBin || !cliBin || !checkpoint) {
  console.error("usage: node openai_client.test.mjs WAYPOINT_SERVER WAYPOINT_CLI CHECKPOINT");
  process.exit(2);
}

// Starts waypoint-server with --port 0 and resolves with its URL and process.
function startServer(extra = []) {
  return new Promise((resolve, reject) => {
    const proc = spawn(serverBin, ["--checkpoint", checkpoint, "--port", "0", "--threads", "1", ...extra], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    const lines = createInterface({ input: proc.stdout });
    const timer = setTimeout(() => reject(new Error("waypoint-server did not print its URL in 60 s")), 60000);
    lines.once("line", (line) => {
      clearTimeout(timer);
      const m = /^listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(line);
      if (!m) return reject(new Error(`unexpected first line: ${line}`));
      resolve({ url: m[1], proc });
    });
    proc.once("exit", (code) => reject(new Error(`waypoint-server exited with ${code} before listening`)));
  });
}

function stopServer({ proc }) {
  return new Promise((resolve) => {
    proc.removeAllListeners("exit");
    proc.once("exit", (code, signal) => resolve({ code, signal }));
    proc.kill("SIGTERM");
  });
}

function cliGreedy(prompt, maxTokens) {
  const out = execFileSync(cliBin, ["--checkpoint", checkpoint, "--greedy", "--prompt", prompt,
                                    "--max-tokens", String(maxTokens), "--json"], { encoding: "utf8" });
  return JSON.parse(out).text;
}

// waypoint-cli's greedy answers, made before any connection is open: a
// synchronous child blocks the event loop past the server's keep-alive time,
// and the client would then reuse a connection the server has closed.
const cliAnswers = new Map();
for (const prompt of ["123+456=", "1", "250+250="]) cliAnswers.set(prompt, cliGreedy(prompt, 20));

let server, client;
before(async () => {
  server = await startServer();
  client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: "unused", maxRetries: 0, timeout: 60000 });
});
after(async () => {
  const { code } = await stopServer(server);
  assert.equal(code, 0, "waypoint-server exits 0 on SIGTERM");
});

test("models.list names the checkpoint", async () => {
  const ids = [];
  for await (const m of client.models.list()) ids.push(m.id);
  assert.deepEqual(ids, ["arith-step004000"]);
  const one = await client.models.retrieve("arith-step004000");
  assert.equal(one.id, "arith-step004000");
});

test("completions: greedy text equals waypoint-cli's", async () => {
  for (const prompt of ["123+456=", "1", "250+250="]) {
    const r = await client.completions.create({ model: "arith-step004000", prompt, max_tokens: 20, temperature: 0 });
    assert.equal(r.object, "text_completion");
    assert.equal(r.choices[0].text, cliAnswers.get(prompt), prompt);
    assert.equal(r.choices[0].finish_reason, "stop");
    assert.ok(r.usage.prompt_tokens > 0 && r.usage.completion_tokens > 0);
    assert.equal(r.usage.total_tokens, r.usage.prompt_tokens + r.usage.completion_tokens);
  }
});

test("chat: rendered with the checkpoint's template", async () => {
  const r = await client.chat.completions.create({
    model: "arith-step004000",
    messages: [{ role: "user", content: "123+456=" }],
    temperature: 0,
  });
  assert.equal(r.object, "chat.completion");
  assert.equal(r.choices[0].message.role, "assistant");
  assert.equal(r.choices[0].message.content, "579\n");
  assert.equal(r.choices[0].finish_reason, "stop");
});

test("streaming equals plain (completions and chat)", async () => {
  const plain = await client.completions.create({ model: "arith-step004000", prompt: "1", max_tokens: 20, temperature: 0 });
  let text = "", finish = null;
  const stream = await client.completions.create({ model: "arith-step004000", prompt: "1", max_tokens: 20,
                                                   temperature: 0, stream: true });
  for await (const chunk of stream) {
    text += chunk.choices[0]?.text ?? "";
    finish = chunk.choices[0]?.finish_reason ?? finish;
  }
  assert.equal(text, plain.choices[0].text);
  assert.equal(finish, plain.choices[0].finish_reason);

  const messages = [{ role: "user", content: "321+123=" }];
  const chatPlain = await client.chat.completions.create({ model: "arith-step004000", messages, temperature: 0 });
  let content = "", usage = null, role = null;
  const chatStream = await client.chat.completions.create({ model: "arith-step004000", messages, temperature: 0,
                                                           stream: true, stream_options: { include_usage: true } });
  for await (const chunk of chatStream) {
    if (chunk.usage) usage = chunk.usage;
    role = chunk.choices[0]?.delta?.role ?? role;
    content += chunk.choices[0]?.delta?.content ?? "";
  }
  assert.equal(role, "assistant");
  assert.equal(content, chatPlain.choices[0].message.content);
  assert.deepEqual(usage, chatPlain.usage);
});

test("n choices: greedy ones agree, seeded ones are reproducible", async () => {
  const greedy = await client.completions.create({ model: "arith-step004000", prompt: "1", max_tokens: 12,
                                                   temperature: 0, n: 3 });
  assert.equal(greedy.choices.length, 3);
  assert.deepEqual(greedy.choices.map((c) => c.index), [0, 1, 2]);
  assert.equal(new Set(greedy.choices.map((c) => c.text)).size, 1);

  const ask = () => client.chat.completions.create({ model: "arith-step004000", n: 4, seed: 42, temperature: 1.5,
                                                     messages: [{ role: "user", content: "7" }], max_tokens: 12 });
  const a = await ask(), b = await ask();
  assert.equal(a.choices.length, 4);
  assert.deepEqual(a.choices.map((c) => c.message.content), b.choices.map((c) => c.message.content));

  // Streamed n: every index gets its own finish.
  const finished = new Set();
  const stream = await client.completions.create({ model: "arith-step004000", prompt: "5", max_tokens: 8,
                                                   temperature: 0, n: 2, stream: true });
  for await (const chunk of stream) for (const c of chunk.choices) if (c.finish_reason) finished.add(c.index);
  assert.deepEqual([...finished].sort(), [0, 1]);
});

test("stop strings end the text before them", async () => {
  const full = cliAnswers.get("1");  // "77+90=267\n"
  const cut = full.indexOf("+");
  assert.ok(cut > 0, `the demo's answer to "1" has a '+': ${JSON.stringify(full)}`);
  const r = await client.completions.create({ model: "arith-step004000", prompt: "1", max_tokens: 20,
                                              temperature: 0, stop: ["+"] });
  assert.equal(r.choices[0].text, full.slice(0, cut));
  assert.equal(r.choices[0].finish_reason, "stop");
  let streamed = "";
  const s = await client.completions.create({ model: "arith-step004000", prompt: "1", max_tokens: 20,
                                              temperature: 0, stop: "=", stream: true });
  for await (const chunk of s) streamed += chunk.choices[0]?.text ?? "";
  assert.equal(streamed, full.slice(0, full.indexOf("=")));
});

test("max_tokens cuts with finish_reason length", async () => {
  const r = await client.completions.create({ model: "arith-step004000", prompt: "1", max_tokens: 3, temperature: 0 });
  assert.equal(r.choices[0].finish_reason, "length");
  assert.equal(r.usage.completion_tokens, 3);
});

test("chat logprobs", async () => {
  const r = await client.chat.completions.create({ model: "arith-step004000", temperature: 0, logprobs: true,
                                                   top_logprobs: 2, messages: [{ role: "user", content: "2+2=" }] });
  const content = r.choices[0].logprobs.content;
  assert.ok(content.length >= 1);
  assert.ok(content[0].logprob <= 0);
  assert.equal(content[0].top_logprobs.length, 2);
  assert.equal(content[0].top_logprobs[0].token, content[0].token);  // greedy: the most likely one
});

test("errors surface as the client's error types", async () => {
  await assert.rejects(
    client.completions.create({ model: "arith-step004000", prompt: "1", max_tokens: -1 }),
    (e) => e instanceof OpenAI.BadRequestError && e.status === 400 && e.param === "max_tokens" &&
           /max_tokens/.test(e.message));
  await assert.rejects(
    client.chat.completions.create({ model: "arith-step004000", messages: [{ role: "user", content: "1" }], top_p: 2 }),
    (e) => e instanceof OpenAI.BadRequestError && e.param === "top_p");
  await assert.rejects(
    client.chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: "1" }] }),
    (e) => e instanceof OpenAI.NotFoundError && e.code === "model_not_found");
  await assert.rejects(
    client.completions.create({ model: "arith-step004000", prompt: "9".repeat(300) }),
    (e) => e instanceof OpenAI.BadRequestError && e.code === "context_length_exceeded");
  await assert.rejects(
    client.completions.create({ model: "arith-step004000", prompt: "1", temperature: -1, stream: true }),
    (e) => e instanceof OpenAI.BadRequestError && e.param === "temperature");
});

test("API key (401) and rate limit (429) as AuthenticationError and RateLimitError", async () => {
  const guarded = await startServer(["--api-key", "k3y", "--rate-limit", "0.1", "--rate-burst", "2"]);
  try {
    const wrong = new OpenAI({ baseURL: `${guarded.url}/v1`, apiKey: "nope", maxRetries: 0 });
    await assert.rejects(wrong.models.list(), (e) => e instanceof OpenAI.AuthenticationError && e.status === 401);
    const right = new OpenAI({ baseURL: `${guarded.url}/v1`, apiKey: "k3y", maxRetries: 0 });
    const ask = () => right.completions.create({ model: "arith-step004000", prompt: "1", max_tokens: 2 });
    await ask();
    await ask();
    await assert.rejects(ask(), (e) => e instanceof OpenAI.RateLimitError && e.status === 429 &&
                                       Number(e.headers.get("retry-after")) >= 1);
  } finally {
    const { code } = await stopServer(guarded);
    assert.equal(code, 0);
  }
});
