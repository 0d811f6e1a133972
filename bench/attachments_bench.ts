/**
 * Attachment figures for `deno task bench` (issue 14): upload and download throughput of a
 * 5 MiB file through Natter (multipart in, KV chunks, streamed out) against a bare
 * `Deno.serve` echo of the same bytes, and the server's peak memory while 20 uploads run
 * at once against its idle memory. Loopback only; a few seconds.
 */
import { percentile } from "./measure.ts";
import { spawnServer, tempKvDir } from "./server_process.ts";

const FILE_BYTES = 5 * 1024 * 1024;
const RUNS = 5;
const CONCURRENT = 20;
const MIB = 1024 * 1024;

export interface AttachmentBench {
  uploadMiBs: number;
  downloadMiBs: number;
  echoUploadMiBs: number;
  echoDownloadMiBs: number;
  idleRssMb: number;
  peakRssMb: number;
}

/** Current resident memory of a process in MB (VmRSS). */
function rssMb(pid: number): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]) / 1024;
}

async function register(base: string, username: string): Promise<string> {
  const res = await fetch(`${base}/register`, {
    method: "POST",
    redirect: "manual",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      origin: base,
    },
    body: new URLSearchParams({
      username,
      password: "bench password 1",
      password_confirm: "bench password 1",
    }),
  });
  await res.body?.cancel();
  return res.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
}

/** MiB/s of the median of `RUNS` timings of `run`. */
async function throughput(run: () => Promise<void>): Promise<number> {
  const ms: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    await run();
    ms.push(performance.now() - start);
  }
  return FILE_BYTES / MIB / (percentile(ms, 50) / 1000);
}

function form(bytes: Uint8Array): FormData {
  const body = new FormData();
  body.append("file", new File([bytes as BlobPart], "random.bin"));
  return body;
}

/** Runs the attachment measurements on fresh processes. */
export async function runAttachmentBench(): Promise<AttachmentBench> {
  const bytes = crypto.getRandomValues(new Uint8Array(65536));
  const file = new Uint8Array(FILE_BYTES).map((_, i) =>
    bytes[i % 65536] ^ (i >> 16)
  );
  await using dir = await tempKvDir();
  await using echo = await spawnServer({
    kvPath: dir.path("echo"),
    script: "bench/echo_server.ts",
    listening: /Echo is listening on (http:\/\/\S+)/,
  });
  const echoUploadMiBs = await throughput(async () => {
    const res = await fetch(echo.url, { method: "POST", body: form(file) });
    await res.body?.cancel();
  });
  const echoDownloadMiBs = await throughput(async () => {
    await (await fetch(echo.url)).arrayBuffer();
  });

  await using server = await spawnServer({
    kvPath: dir.path("natter"),
    env: { USER_QUOTA_BYTES: String(1024 * MIB) },
  });
  const base = server.url;
  const alice = `bench_${crypto.randomUUID().slice(0, 8)}`;
  const bob = `bench_${crypto.randomUUID().slice(0, 8)}`;
  const cookie = await register(base, alice);
  await (await register(base, bob));
  const uploadUrl = `${base}/api/conversations/${bob}/attachments`;
  const upload = async () => {
    const res = await fetch(uploadUrl, {
      method: "POST",
      headers: { cookie, origin: base },
      body: form(file),
    });
    const body = await res.json();
    if (res.status !== 201) throw new Error(JSON.stringify(body));
    return body.attachment.id as string;
  };
  const ids: string[] = [];
  const uploadMiBs = await throughput(async () =>
    void ids.push(await upload())
  );
  const downloadUrl = `${base}/api/conversations/${bob}/attachments/${ids[0]}`;
  const downloadMiBs = await throughput(async () => {
    const res = await fetch(downloadUrl, { headers: { cookie } });
    const got = await res.arrayBuffer();
    if (got.byteLength !== FILE_BYTES) throw new Error("short download");
  });

  // Idle after the warm-up above, then sampled while 20 uploads run at once.
  await new Promise((resolve) => setTimeout(resolve, 500));
  const idleRssMb = rssMb(server.pid);
  let peakRssMb = idleRssMb;
  const sampler = setInterval(() => {
    peakRssMb = Math.max(peakRssMb, rssMb(server.pid));
  }, 10);
  await Promise.all(Array.from({ length: CONCURRENT }, upload));
  clearInterval(sampler);
  peakRssMb = Math.max(peakRssMb, rssMb(server.pid));
  return {
    uploadMiBs,
    downloadMiBs,
    echoUploadMiBs,
    echoDownloadMiBs,
    idleRssMb,
    peakRssMb,
  };
}

/** The benchmark's lines for attachments. */
export function formatAttachmentBench(r: AttachmentBench): string {
  const target = 2 * r.idleRssMb + 50;
  return [
    "Attachments (issue 14), 5 MiB file, median of 5:",
    `  upload    natter ${r.uploadMiBs.toFixed(1)} MiB/s   echo ${
      r.echoUploadMiBs.toFixed(1)
    } MiB/s`,
    `  download  natter ${r.downloadMiBs.toFixed(1)} MiB/s   echo ${
      r.echoDownloadMiBs.toFixed(1)
    } MiB/s`,
    `  RSS idle ${
      r.idleRssMb.toFixed(0)
    } MB, peak during ${CONCURRENT} concurrent uploads ${
      r.peakRssMb.toFixed(0)
    } MB (target < ${target.toFixed(0)} MB: ${
      r.peakRssMb < target ? "PASS" : "MISS"
    })`,
  ].join("\n");
}

if (import.meta.main) {
  console.log(formatAttachmentBench(await runAttachmentBench()));
}
