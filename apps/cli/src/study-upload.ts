import path from "node:path";
import {
  ApiRequestError,
  createApiClient,
  defaultUploadConfig,
  errorMessage,
  formatBytes,
  type ApiClient,
  type UploadConfig,
} from "@study-uploader/shared";
import { accessTokenProvider, TokenCommandError } from "./access-token.js";
import type { CliOptions } from "./cli-args.js";
import { FolderError, scanFolder, type FolderScan } from "./folder-images.js";
import { defaultJournalPath, JournalError, readJournal, writeJournal, type Journal } from "./journal.js";
import { createJournalKeeper } from "./journal-keeper.js";
import { labelledOrder, LabelsError, readLabelsCsv } from "./labels-csv.js";
import { rehashArrived } from "./rehash.js";
import { planResume } from "./resume-plan.js";
import { EXIT, reportStudy, type ExitCode, type Output } from "./run-report.js";
import { runSession } from "./session-run.js";

export interface RunContext {
  env: Record<string, string | undefined>;
  out: Output;
  tty: boolean;
  interrupted: AbortSignal;
}

/** A run that must stop here with this exit code, after saying why. */
class Stop extends Error {
  constructor(
    readonly code: ExitCode,
    message: string,
  ) {
    super(message);
  }
}

/** `study-upload <folder> --title …`: checks the folder, then sends it (or takes up the last run) and commits. */
export async function studyUpload(options: CliOptions, ctx: RunContext): Promise<ExitCode> {
  const started = performance.now();
  const say = (line: string) => ctx.out.stderr.write(`${line}\n`);
  try {
    const api = createApiClient(options.api, fetch, accessTokenProvider(options.tokenCommand, ctx.env));
    const config = await uploadConfig(api, options, ctx.env, say);
    const scan = await scanFolder(options.folder, config).catch(rethrowAs(FolderError));
    for (const { name, reason } of scan.skipped) say(`skipped ${name}: ${reason}`);
    const study = await studyOrder(options, scan);
    if (scan.problems.length > 0) {
      for (const { name, problem } of scan.problems) say(`${name}: ${problem}`);
      throw new Stop(EXIT.refused, `${scan.problems.length} images would be refused, so nothing was sent.`);
    }
    checkLimits(study, config, options.folder);
    if (options.dryRun) {
      reportDryRun(ctx.out, study, options.title);
      return EXIT.committed;
    }

    const journalPath = path.resolve(options.journal ?? defaultJournalPath(options.folder, options.api, ctx.env));
    const folder = path.resolve(options.folder);
    const earlier = (() => {
      try {
        return readJournal(journalPath, folder, options.api);
      } catch (error) {
        throw error instanceof JournalError ? new Stop(EXIT.badArguments, error.message) : error;
      }
    })();
    const fresh: Journal = { version: 1, folder, api: options.api, batchId: null, studyId: null, files: [] };
    const resume = earlier && (await takeUp(api, earlier, study, say));
    if (resume?.kind === "study") {
      // Kept at once: the batch's own record goes with the sweep, the journal's word stays.
      if (!earlier!.studyId) writeJournal(journalPath, { ...earlier!, studyId: resume.studyId });
      const committed = await api.getStudy(resume.studyId).catch((error: unknown) => {
        if (!(error instanceof ApiRequestError && error.status === 404)) throw error;
        throw new Stop(
          EXIT.refused,
          `This folder became the study ${resume.studyId}, which has since been deleted. To upload it again, delete the journal ${journalPath}.`,
        );
      });
      const md5 = new Map(earlier!.files.map((file) => [file.name, file.md5]));
      const result = { study: committed, existing: true, md5Of: (n: string) => md5.get(n) ?? null, transfer: null };
      reportStudy(ctx.out, options.api, result, 0);
      return EXIT.committed;
    }
    const journal = resume?.kind === "batch" ? earlier! : fresh;
    say(`Journal: ${journalPath}`);
    const ids = resume?.kind === "batch" ? resume.plan.ids : new Map(study.map((image) => [image.name, image.name]));
    const images = study.map((image) => ({ ...image, id: ids.get(image.name)! }));
    const facts = new Map(images.map(({ id, name, size, mtimeMs }) => [id, { name, size, mtimeMs }]));
    const result = await runSession({
      api,
      apiUrl: options.api,
      config,
      images,
      title: options.title,
      description: options.description,
      resume: resume?.kind === "batch" ? { batchId: journal.batchId!, plan: resume.plan } : null,
      journal: createJournalKeeper(journalPath, journal, (id) => facts.get(id)),
      concurrency: options.concurrency,
      out: ctx.out,
      tty: ctx.tty,
      interrupted: ctx.interrupted,
    });
    if (result.kind === "stopped") return result.code;
    const seconds = (performance.now() - started) / 1000;
    reportStudy(ctx.out, options.api, { ...result, existing: false }, seconds);
    return EXIT.committed;
  } catch (error) {
    if (error instanceof Stop) {
      say(error.message);
      return error.code;
    }
    if (error instanceof ApiRequestError && error.status === 0) {
      say(`${error.message}. Nothing is lost: run the same command again to continue.`);
      return EXIT.interrupted;
    }
    say(`study-upload: ${errorMessage(error)}`);
    return EXIT.refused;
  }
}

const rethrowAs =
  (kind: typeof FolderError | typeof LabelsError) =>
  (error: unknown): never => {
    throw error instanceof kind ? new Stop(EXIT.badArguments, error.message) : error;
  };

/** The API's limits; a dry run without the API checks against the defaults and says so. */
async function uploadConfig(
  api: ApiClient,
  options: CliOptions,
  env: RunContext["env"],
  say: (line: string) => void,
): Promise<UploadConfig> {
  try {
    const config = await api.getConfig();
    if (config.authRequired && !options.tokenCommand && !env.STUDY_UPLOADER_TOKEN?.trim())
      throw new Stop(
        EXIT.badArguments,
        `${options.api} needs sign-in: set STUDY_UPLOADER_TOKEN to a bearer token, or give --token-command "…" (a command that prints one).`,
      );
    // A token the API refuses is said now, not after every file failed to be announced.
    if (config.authRequired) await api.listStudies({ limit: 1 });
    return config;
  } catch (error) {
    if (error instanceof Stop) throw error;
    if (error instanceof TokenCommandError) throw new Stop(EXIT.badArguments, error.message);
    if (error instanceof ApiRequestError && (error.status === 401 || error.status === 403))
      throw new Stop(EXIT.badArguments, `The API refused the token: ${error.message} (see STUDY_UPLOADER_TOKEN).`);
    if (!options.dryRun) throw error;
    say(`Could not ask ${options.api} for its limits (${errorMessage(error)}): checking against the defaults.`);
    return defaultUploadConfig;
  }
}

type StudyImage = FolderScan["images"][number] & { label: string };

/** The folder's images in the study's order with their labels (from the CSV, or from the file names). */
async function studyOrder(options: CliOptions, scan: FolderScan): Promise<StudyImage[]> {
  const rows = options.labels ? await readLabelsCsv(options.labels).catch(rethrowAs(LabelsError)) : null;
  const skipped = new Map(scan.skipped.map(({ name, reason }) => [name, reason]));
  const names = [...scan.images, ...scan.problems].map((image) => image.name);
  const labelled = (() => {
    try {
      return labelledOrder(names, rows, skipped, options.labels ?? undefined);
    } catch (error) {
      return rethrowAs(LabelsError)(error);
    }
  })();
  const byName = new Map(scan.images.map((image) => [image.name, image]));
  return labelled.order.flatMap((name) => {
    const image = byName.get(name);
    return image ? [{ ...image, label: labelled.labelOf(name) }] : [];
  });
}

function checkLimits(study: readonly StudyImage[], config: UploadConfig, folder: string): void {
  if (study.length === 0) throw new Stop(EXIT.badArguments, `${folder} holds no PNG, JPEG, GIF or WebP images.`);
  if (study.length > config.maxFiles)
    throw new Stop(
      EXIT.badArguments,
      `${folder} holds ${study.length} images, but a study may hold at most ${config.maxFiles}. Split the folder into folders of at most ${config.maxFiles} images and upload each as its own study (or ask for a higher MAX_FILES_PER_STUDY on the API).`,
    );
  const bytes = study.reduce((sum, image) => sum + image.size, 0);
  if (config.maxBatchBytes && bytes > config.maxBatchBytes)
    throw new Stop(
      EXIT.badArguments,
      `${folder} holds ${formatBytes(bytes)} of images, but a study may hold at most ${formatBytes(config.maxBatchBytes)}. Split it into smaller folders.`,
    );
}

function reportDryRun(out: Output, study: readonly StudyImage[], title: string): void {
  const bytes = study.reduce((sum, image) => sum + image.size, 0);
  if (out.json) {
    const images = study.map(({ name, size, type, label }) => ({ name, size, type, label }));
    out.stdout.write(`${JSON.stringify({ dryRun: true, title, images, bytes }, null, 2)}\n`);
    return;
  }
  study.forEach((image, i) =>
    out.stdout.write(`${i + 1}. ${image.name} (${formatBytes(image.size)}) → ${image.label}\n`),
  );
  out.stdout.write(
    `Dry run: ${study.length} images (${formatBytes(bytes)}) would become the study "${title}". Nothing was sent.\n`,
  );
}

/**
 * What the journal's batch became: a study (print it), a batch to continue, or nothing (gone: start a new one).
 */
async function takeUp(
  api: ApiClient,
  journal: Journal,
  study: readonly StudyImage[],
  say: (line: string) => void,
): Promise<{ kind: "study"; studyId: string } | { kind: "batch"; plan: ReturnType<typeof planResume> } | null> {
  if (journal.studyId) return { kind: "study", studyId: journal.studyId };
  if (!journal.batchId) return null;
  let status;
  try {
    status = await api.getBatch(journal.batchId);
  } catch (error) {
    if (!(error instanceof ApiRequestError && error.status === 404)) throw error;
    say("The last run's upload has expired (or was cleaned up): starting a new one.");
    return null;
  }
  if (status.studyId) return { kind: "study", studyId: status.studyId };
  const rehashed = await rehashArrived(journal, status, study);
  return { kind: "batch", plan: planResume(journal, status, study, rehashed) };
}
