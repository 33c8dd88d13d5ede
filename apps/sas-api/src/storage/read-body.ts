/** The body of a download, read to the end (no body means no bytes). */
export async function readBody(read: { readableStreamBody?: NodeJS.ReadableStream }): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of read.readableStreamBody ?? [])
    chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks);
}
