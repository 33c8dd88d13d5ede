import net from "node:net";

/** Where one connection is in its stream of requests: reading a request's head, or skipping its body. */
interface RequestCursor {
  head: string;
  bodyLeft: number;
  /** The body being read gets its first byte flipped. */
  damage: boolean;
}

/**
 * A TCP proxy in front of the test Azurite, between the browser and storage (the API's PUBLIC_BLOB_ENDPOINT names
 * it): it can slow uploads to a link's pace, really drop every connection and refuse new ones (a lost network,
 * which Chromium's offline mode does not do to requests already in flight to a local server), and flip one byte of
 * the next block on its way (a block damaged in transit).
 */
export class StorageProxy {
  readonly #sockets = new Set<net.Socket>();
  #bytesPerSecond: number | null = null;
  /** When the shared link is free to carry the next chunk (ms): all connections share one pace, like a real link. */
  #linkFreeAt = 0;
  #dropped = false;
  #damageNextBlock = false;

  private constructor(
    private readonly server: net.Server,
    private readonly target: number,
  ) {}

  static async start(port: number, target: number): Promise<StorageProxy> {
    const server = net.createServer();
    const proxy = new StorageProxy(server, target);
    server.on("connection", (client) => proxy.#accept(client));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", resolve);
    });
    return proxy;
  }

  /** Uploads (browser → storage) at this pace, shared by every connection; null: as fast as they go. */
  throttle(bytesPerSecond: number | null): void {
    this.#bytesPerSecond = bytesPerSecond;
  }

  /** The network is gone: every open connection is reset, and new ones are refused until `restore`. */
  drop(): void {
    this.#dropped = true;
    for (const socket of this.#sockets) socket.resetAndDestroy();
    this.#sockets.clear();
  }

  restore(): void {
    this.#dropped = false;
  }

  /** The next Put Block's body gets one byte flipped on its way: storage must refuse it by its Content-MD5. */
  damageNextBlock(): void {
    this.#damageNextBlock = true;
  }

  async close(): Promise<void> {
    this.drop();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  #accept(client: net.Socket): void {
    if (this.#dropped) {
      client.resetAndDestroy();
      return;
    }
    const upstream = net.connect(this.target, "127.0.0.1");
    this.#sockets.add(client).add(upstream);
    const forget = () => {
      client.destroy();
      upstream.destroy();
      this.#sockets.delete(client);
      this.#sockets.delete(upstream);
    };
    client.on("error", forget).on("close", forget);
    upstream.on("error", forget).on("close", forget);
    upstream.pipe(client);
    const cursor: RequestCursor = { head: "", bodyLeft: 0, damage: false };
    client.on("data", (chunk: Buffer) => {
      upstream.write(this.#damaged(cursor, chunk));
      this.#pace(client, chunk.length);
    });
  }

  /** Holds the client's reading until the shared link has carried this chunk at its pace. */
  #pace(client: net.Socket, bytes: number): void {
    if (this.#bytesPerSecond === null) return;
    const now = Date.now();
    this.#linkFreeAt = Math.max(now, this.#linkFreeAt) + (bytes / this.#bytesPerSecond) * 1000;
    const wait = this.#linkFreeAt - now;
    if (wait < 5) return;
    client.pause();
    setTimeout(() => client.resume(), wait);
  }

  /** Follows requests through the stream (head, then Content-Length bytes of body) to find a Put Block's body. */
  #damaged(cursor: RequestCursor, chunk: Buffer): Buffer {
    let at = 0;
    while (at < chunk.length) {
      if (cursor.bodyLeft > 0) {
        const take = Math.min(cursor.bodyLeft, chunk.length - at);
        // The body often comes in a later chunk than its head (the browser writes them apart).
        if (cursor.damage) {
          chunk = Buffer.from(chunk);
          chunk[at] = chunk[at]! ^ 0xff;
          cursor.damage = false;
        }
        cursor.bodyLeft -= take;
        at += take;
        continue;
      }
      // A head may arrive split anywhere, its blank line too: look for the end in what was gathered so far.
      const before = cursor.head.length;
      cursor.head += chunk.subarray(at).toString("latin1");
      const end = cursor.head.indexOf("\r\n\r\n");
      if (end === -1) break;
      at += end + 4 - before;
      const head = cursor.head.slice(0, end + 4);
      cursor.head = "";
      cursor.bodyLeft = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
      if (this.#damageNextBlock && cursor.bodyLeft > 0 && /^PUT [^ ]*comp=block&/.test(head)) {
        this.#damageNextBlock = false;
        cursor.damage = true;
      }
    }
    return chunk;
  }
}
