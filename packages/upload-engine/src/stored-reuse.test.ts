import { describe, expect, it } from "vitest";
import { sentBytesOf } from "./file-steps.js";
import { isReused } from "./stored-reuse.js";
import { createStudySession } from "./study-session.js";
import { answerAll, fakeApi, fakeMd5, file, manualTransport, ok } from "./testing/session-fakes.js";
import { settle } from "./testing/deferred.js";

function setup() {
  const fake = manualTransport();
  const api = fakeApi(600_000);
  const session = createStudySession({
    api,
    transport: fake.transport,
    hashMd5: fakeMd5,
    concurrency: 3,
    random: () => 0.5,
    now: () => Date.now(),
    scheduleNotify: (notify) => notify(),
  });
  const entry = (id: string) => Object.values(session.getSnapshot().files).find((f) => f.id === id)!;
  return { fake, api, session, entry };
}

describe("study session: an image its owner already has", () => {
  it("is not sent: the API copies it, and the file is uploaded, marked reused", async () => {
    const { fake, api, session, entry } = setup();
    api.storedMd5s.push("md5-of-100");
    session.add([file("stored", 100), file("new", 200)]);
    await answerAll(fake);
    expect(api.reuseUpload).toHaveBeenCalledExactlyOnceWith("b1", 0, "md5-of-100");
    expect(fake.calls.map((c) => c.index)).toEqual([1]);
    expect(entry("stored").state).toMatchObject({ kind: "uploaded", reused: true });
    expect(isReused(entry("stored").state)).toBe(true);
    expect(isReused(entry("new").state)).toBe(false);
    expect(sentBytesOf(entry("stored"))).toBe(100);
  });

  it("is sent as usual when the API cannot reuse it, or the call fails", async () => {
    const { fake, api, session, entry } = setup();
    api.storedMd5s.push("md5-of-100", "md5-of-300");
    api.reuseUpload.mockResolvedValueOnce(false).mockRejectedValueOnce(new Error("500"));
    session.add([file("gone", 100), file("broken", 300)]);
    await settle();
    await answerAll(fake, ok);
    expect(api.reuseUpload).toHaveBeenCalledTimes(2);
    expect(fake.calls.map((c) => c.index).sort()).toEqual([0, 1]);
    for (const id of ["gone", "broken"]) expect(entry(id).state).toMatchObject({ kind: "uploaded" });
    expect(isReused(entry("gone").state) || isReused(entry("broken").state)).toBe(false);
  });

  it("asks only for files whose MD5 the link lists", async () => {
    const { fake, api, session } = setup();
    api.storedMd5s.push("md5-of-999");
    session.add([file("a", 100)]);
    await answerAll(fake);
    expect(api.reuseUpload).not.toHaveBeenCalled();
    expect(fake.calls).toHaveLength(1);
  });
});
