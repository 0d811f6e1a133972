/**
 * The attachment benchmark's baseline: a bare `Deno.serve` that reads an upload's bytes
 * and throws them away, and serves the same number of bytes back. Natter's upload and
 * download figures divided by these are what storing in KV and our layers cost.
 */
const SIZE = Number(Deno.env.get("ECHO_BYTES") ?? 5 * 1024 * 1024);
const payload = crypto.getRandomValues(new Uint8Array(65536));

Deno.serve({
  hostname: "127.0.0.1",
  port: 0,
  onListen: ({ hostname, port }) =>
    console.log(`Echo is listening on http://${hostname}:${port}`),
}, async (req) => {
  if (req.method === "POST") {
    let bytes = 0;
    for await (const chunk of req.body ?? []) bytes += chunk.length;
    return Response.json({ bytes }, { status: 201 });
  }
  let sent = 0;
  return new Response(
    new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= SIZE) return controller.close();
        const n = Math.min(payload.length, SIZE - sent);
        controller.enqueue(payload.subarray(0, n));
        sent += n;
      },
    }),
  );
});
