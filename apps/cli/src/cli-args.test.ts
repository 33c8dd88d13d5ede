import { MAX_TITLE_LENGTH } from "@study-uploader/shared";
import { describe, expect, it } from "vitest";
import { DEFAULT_API_URL, parseCliArgs, type CliOptions } from "./cli-args.js";

/** The options of a command line that must parse, or the test fails with the message it got instead. */
function optionsOf(argv: readonly string[], env: Record<string, string | undefined> = {}): CliOptions {
  const parsed = parseCliArgs(argv, env);
  if (parsed.kind !== "run") throw new Error(`expected options, got ${JSON.stringify(parsed)}`);
  return parsed.options;
}

/** The message of a command line that must be refused. */
function refusal(argv: readonly string[], env: Record<string, string | undefined> = {}): string {
  const parsed = parseCliArgs(argv, env);
  if (parsed.kind !== "bad") throw new Error(`expected a refusal, got ${JSON.stringify(parsed)}`);
  return parsed.message;
}

describe("parseCliArgs", () => {
  it("answers help for --help and -h, even without a folder or title", () => {
    expect(parseCliArgs(["--help"], {})).toEqual({ kind: "help" });
    expect(parseCliArgs(["photos", "-h"], {})).toEqual({ kind: "help" });
  });

  it("takes the folder and title, with defaults for everything else", () => {
    expect(optionsOf(["photos", "--title", "Holiday"])).toEqual({
      folder: "photos",
      title: "Holiday",
      description: "",
      labels: null,
      api: DEFAULT_API_URL,
      concurrency: null,
      tokenCommand: null,
      journal: null,
      dryRun: false,
      json: false,
    });
  });

  it("takes every option it knows", () => {
    const options = optionsOf([
      "photos",
      "--title",
      "Holiday",
      "--description",
      "Summer",
      "--labels",
      "labels.csv",
      "--api",
      "https://uploader.example",
      "--concurrency",
      "8",
      "--token-command",
      "get-token",
      "--journal",
      "run.json",
      "--dry-run",
      "--json",
    ]);
    expect(options).toEqual({
      folder: "photos",
      title: "Holiday",
      description: "Summer",
      labels: "labels.csv",
      api: "https://uploader.example",
      concurrency: 8,
      tokenCommand: "get-token",
      journal: "run.json",
      dryRun: true,
      json: true,
    });
  });

  it("asks for the folder when none is named", () => {
    expect(refusal(["--title", "Holiday"])).toBe("Name the folder of images to upload.");
  });

  it("takes one folder at a time, naming the ones it got", () => {
    expect(refusal(["one", "two", "--title", "Holiday"])).toBe("One folder at a time (got 2: one, two).");
  });

  it("asks for a title when there is none, or only blanks", () => {
    expect(refusal(["photos"])).toBe('A study needs a title: --title "…".');
    expect(refusal(["photos", "--title", "   "])).toBe('A study needs a title: --title "…".');
  });

  it("trims the title", () => {
    expect(optionsOf(["photos", "--title", "  Holiday  "]).title).toBe("Holiday");
  });

  it(`takes a title of ${MAX_TITLE_LENGTH} characters but refuses a longer one`, () => {
    expect(optionsOf(["photos", "--title", "t".repeat(MAX_TITLE_LENGTH)]).title).toHaveLength(MAX_TITLE_LENGTH);
    expect(refusal(["photos", "--title", "t".repeat(MAX_TITLE_LENGTH + 1)])).toBe(
      `The title is longer than ${MAX_TITLE_LENGTH} characters.`,
    );
  });

  it("refuses a title holding control characters, a line break among them", () => {
    expect(refusal(["photos", "--title", "Holi\u0007day"])).toBe(
      "The title contains control or direction-override characters.",
    );
    expect(refusal(["photos", "--title", "Holi\nday"])).toBe(
      "The title contains control or direction-override characters.",
    );
  });

  it("accepts a description of several lines", () => {
    expect(optionsOf(["photos", "--title", "Holiday", "--description", "First line\nSecond line"]).description).toBe(
      "First line\nSecond line",
    );
  });

  it("refuses a description holding a direction override", () => {
    expect(refusal(["photos", "--title", "Holiday", "--description", "Summer \u202egnp.exe"])).toBe(
      "The description contains control or direction-override characters.",
    );
  });

  it("takes --concurrency from 1 to 64 and refuses 0, 65 and what is not a number", () => {
    expect(optionsOf(["photos", "--title", "T", "--concurrency", "8"]).concurrency).toBe(8);
    expect(optionsOf(["photos", "--title", "T", "--concurrency", "1"]).concurrency).toBe(1);
    expect(optionsOf(["photos", "--title", "T", "--concurrency", "64"]).concurrency).toBe(64);
    for (const value of ["0", "65", "abc", "2.5"])
      expect(refusal(["photos", "--title", "T", "--concurrency", value])).toBe(
        `--concurrency must be a whole number from 1 to 64 (got "${value}").`,
      );
  });

  it("refuses an --api that is not an http(s) URL", () => {
    expect(refusal(["photos", "--title", "T", "--api", "ftp://uploader.example"])).toBe(
      '--api must be an http(s) URL (got "ftp://uploader.example").',
    );
    expect(refusal(["photos", "--title", "T", "--api", "uploader.example"])).toBe(
      '--api must be an http(s) URL (got "uploader.example").',
    );
  });

  it("takes the API from --api first, then from STUDY_UPLOADER_API, then the default", () => {
    const env = { STUDY_UPLOADER_API: "https://from-env.example" };
    expect(optionsOf(["photos", "--title", "T", "--api", "http://from-flag.example"], env).api).toBe(
      "http://from-flag.example",
    );
    expect(optionsOf(["photos", "--title", "T"], env).api).toBe("https://from-env.example");
    expect(optionsOf(["photos", "--title", "T"], {}).api).toBe(DEFAULT_API_URL);
    expect(optionsOf(["photos", "--title", "T"], { STUDY_UPLOADER_API: " " }).api).toBe(DEFAULT_API_URL);
  });

  it("trims the API's trailing slashes", () => {
    expect(optionsOf(["photos", "--title", "T", "--api", "https://uploader.example/api//"]).api).toBe(
      "https://uploader.example/api",
    );
    expect(optionsOf(["photos", "--title", "T"], { STUDY_UPLOADER_API: "http://127.0.0.1:9000/" }).api).toBe(
      "http://127.0.0.1:9000",
    );
  });

  it("refuses an empty --token-command and trims a given one", () => {
    expect(refusal(["photos", "--title", "T", "--token-command", "  "])).toBe("--token-command is empty.");
    expect(optionsOf(["photos", "--title", "T", "--token-command", " az token "]).tokenCommand).toBe("az token");
  });

  it("refuses an unknown option with parseArgs' own message", () => {
    expect(refusal(["photos", "--title", "T", "--bogus"])).toMatch(/^Unknown option '--bogus'/);
  });

  it("refuses an option given no value with parseArgs' own message", () => {
    expect(refusal(["photos", "--title"])).toMatch(/'--title <value>' argument missing/);
  });

  it("sets --dry-run and --json each on its own", () => {
    expect(optionsOf(["photos", "--title", "T", "--dry-run"])).toMatchObject({ dryRun: true, json: false });
    expect(optionsOf(["photos", "--title", "T", "--json"])).toMatchObject({ dryRun: false, json: true });
  });
});
