// A forward proxy as corporate networks run them: an HTTP server that answers CONNECT by
// opening a TCP tunnel to the named host:port. It records each tunnel's target and the
// first line of what went through it (the fakes speak plain HTTP inside the tunnel).
import { createServer, type Server } from "node:http";
import { connect, type Socket } from "node:net";

export interface Tunnel {
  target: string;
  /** Request lines sent through it (keep-alive: several), e.g. "POST /api/auth.test HTTP/1.1" */
  requests: string[];
  /** The request asked for a WebSocket upgrade. */
  websocket: boolean;
}

export interface ConnectProxy {
  url: string;
  tunnels: Tunnel[];
  close(): Promise<void>;
}

export async function startConnectProxy(): Promise<ConnectProxy> {
  const tunnels: Tunnel[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((_req, res) => {
    // Only tunnels: a client that sends absolute-form requests is not using CONNECT.
    res.writeHead(405).end();
  });
  server.on("connect", (req, client: Socket, head: Buffer) => {
    const target = req.url ?? "";
    const [host, port] = target.split(":");
    const upstream = connect(Number(port), host ?? "127.0.0.1", () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      if (head.length) upstream.write(head);
      client.pipe(upstream).pipe(client);
    });
    sockets.add(client).add(upstream);
    const tunnel: Tunnel = { target, requests: [], websocket: false };
    tunnels.push(tunnel);
    client.on("data", (chunk: Buffer) => {
      if (tunnel.websocket) return; // frames from here on
      const text = chunk.toString("latin1");
      for (const m of text.matchAll(/^[A-Z]+ \S+ HTTP\/1\.1$/gm)) tunnel.requests.push(m[0]);
      tunnel.websocket = /^upgrade:\s*websocket/im.test(text);
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on("error", end).on("close", end);
    upstream.on("error", end).on("close", end);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    tunnels,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
