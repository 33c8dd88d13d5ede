import { describe, expect, it } from "vitest";
import { STORAGE_PATH_PREFIX, browserContainerPaths, storageForwardPath } from "./storage-path.js";

const azurite = browserContainerPaths("/devstoreaccount1", "study-");
const azure = browserContainerPaths("", "study-");

describe("browserContainerPaths", () => {
  it("names the uploads and committed containers below the account", () => {
    expect(azurite).toEqual(["/devstoreaccount1/study-images", "/devstoreaccount1/study-committed"]);
    expect(azure).toEqual(["/study-images", "/study-committed"]);
  });
});

describe("storageForwardPath", () => {
  it.each([
    ["PUT", "/storage/devstoreaccount1/study-images/AbC_d-1/0?sv=1&sig=a%2Bb", azurite],
    ["GET", "/storage/devstoreaccount1/study-committed/Study_Id-1/3-0x8DD1A2B3C4?se=x&rscd=attachment", azurite],
    ["HEAD", "/storage/study-committed/Study/0-abc", azure],
    ["put", "/storage/study-images/batch/12?sig=x", azure],
  ])("forwards %s %s without the prefix", (method, path, containers) => {
    expect(storageForwardPath(method, path, containers)).toBe(path.slice(STORAGE_PATH_PREFIX.length));
  });

  it.each([
    ["another container (records)", "GET", "/storage/devstoreaccount1/study-studies/anonymous/x.json?sig=x"],
    ["the batch plans", "GET", "/storage/devstoreaccount1/study-batches/b.json"],
    ["a container whose name only starts the same", "GET", "/storage/devstoreaccount1/study-imagesX/b/0"],
    ["a container listing", "GET", "/storage/devstoreaccount1/study-images?restype=container&comp=list"],
    ["the container itself", "GET", "/storage/devstoreaccount1/study-images/"],
    ["the account", "GET", "/storage/devstoreaccount1?comp=list"],
    ["the bare prefix", "GET", "/storage"],
    ["a dotted way out", "GET", "/storage/devstoreaccount1/study-images/../study-studies/x"],
    ["an encoded way out", "GET", "/storage/devstoreaccount1/study-images/%2e%2e/study-studies/x"],
    ["an encoded slash", "GET", "/storage/devstoreaccount1/study-images/a%2Fb"],
    ["an empty segment", "GET", "/storage/devstoreaccount1/study-images//x"],
    ["a delete", "DELETE", "/storage/devstoreaccount1/study-images/b/0?sig=x"],
    ["a post", "POST", "/storage/devstoreaccount1/study-images/b/0?comp=block"],
    ["an options request", "OPTIONS", "/storage/devstoreaccount1/study-images/b/0"],
    ["a path outside the prefix", "GET", "/storagex/devstoreaccount1/study-images/b/0"],
  ])("refuses %s", (_, method, path) => {
    expect(storageForwardPath(method, path, azurite)).toBeNull();
  });
});
