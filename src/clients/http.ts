/** Small HTTP helpers over Node's fetch with a hard timeout on every request. */
export interface HttpResult<T = unknown> {
  status: number;
  body: T | undefined;
  text: string;
  ms: number;
}

export async function httpJson<T = unknown>(
  url: string,
  opts: { method?: string; body?: unknown; timeoutMs?: number; auth?: { username: string; password: string } } = {},
): Promise<HttpResult<T>> {
  const headers: Record<string, string> = {};
  if (opts.body !== undefined) headers["content-type"] = "application/json";
  if (opts.auth) headers.authorization = `Basic ${Buffer.from(`${opts.auth.username}:${opts.auth.password}`).toString("base64")}`;
  const t0 = performance.now();
  const res = await fetch(url, {
    method: opts.method ?? "GET",
    headers,
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    signal: AbortSignal.timeout(opts.timeoutMs ?? 2000),
  });
  const text = await res.text();
  let body: T | undefined;
  try {
    body = JSON.parse(text) as T;
  } catch {
    body = undefined;
  }
  return { status: res.status, body, text, ms: performance.now() - t0 };
}
