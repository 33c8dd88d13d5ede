import {
  addBatchFilesResponseSchema,
  apiErrorSchema,
  createBatchResponseSchema,
  refreshBatchResponseSchema,
  studyListSchema,
  studySchema,
  uploadConfigSchema,
  type AddBatchFilesRequest,
  type AddBatchFilesResponse,
  type CommitStudyRequest,
  type CreateBatchRequest,
  type CreateBatchResponse,
  type FileProblem,
  type RefreshBatchResponse,
  type Study,
  type StudyList,
  type StudyListQuery,
  type StudySummary,
  type UploadConfig,
} from "./schemas.js";
import { batchStatusSchema, reuseUploadResponseSchema, type BatchStatus } from "./batch-schemas.js";
import { z } from "zod";
import { API_ROUTES, type ApiMethod, type ApiRoute, type PathArgs } from "./api-routes.js";
import { errorMessage } from "./error-message.js";

/** An API call that did not succeed: the server's `{error}` body, or a network / unreadable-response problem. */
export class ApiRequestError extends Error {
  override readonly name = "ApiRequestError";
  constructor(
    /** HTTP status; 0 when no response arrived. */
    readonly status: number,
    /** The API's error code, or `network_error` / `invalid_response` for problems on the way. */
    readonly code: string,
    message: string,
    readonly files: FileProblem[] = [],
  ) {
    super(message);
  }
}

export interface ApiClient {
  getConfig(): Promise<UploadConfig>;
  createBatch(request: CreateBatchRequest): Promise<CreateBatchResponse>;
  refreshBatch(batchId: string, indexes: number[]): Promise<RefreshBatchResponse>;
  /** More files for a batch still being uploaded; they get the next indexes. */
  addBatchFiles(batchId: string, request: AddBatchFilesRequest): Promise<AddBatchFilesResponse>;
  /** Takes a file out of a batch before the commit: its upload is deleted now, not left to the sweep. */
  removeBatchFile(batchId: string, index: number): Promise<void>;
  /** The file is an image the caller already has (see `storedMd5s`): true when storage copied it, nothing to send. */
  reuseUpload(batchId: string, index: number, md5: string): Promise<boolean>;
  /** What storage holds for a batch: which files arrived, its staging deadline, its study once committed. */
  getBatch(batchId: string): Promise<BatchStatus>;
  /** Drops a batch that will never be committed (a discarded draft): its uploads and plan are deleted now. */
  discardBatch(batchId: string): Promise<void>;
  commitStudy(request: CommitStudyRequest): Promise<Study>;
  /** One page of studies, newest first. */
  listStudies(query?: StudyListQuery): Promise<StudyList>;
  getStudy(studyId: string): Promise<Study>;
  /** Deletes one of the caller's studies and its images; deleting it again is harmless. */
  deleteStudy(studyId: string): Promise<void>;
}

/** Supplies a bearer token for the API when sign-in is configured; null means "call without one". */
export type AccessTokenProvider = () => Promise<string | null>;

const noToken: AccessTokenProvider = async () => null;

export function createApiClient(
  baseUrl = "",
  fetchImpl: typeof fetch = (...args) => fetch(...args),
  getAccessToken: AccessTokenProvider = noToken,
): ApiClient {
  async function request<S extends z.ZodType>(
    method: ApiMethod,
    path: string,
    schema: S,
    body?: unknown,
  ): Promise<z.infer<S>> {
    let response: Response;
    try {
      const headers: Record<string, string> = { accept: "application/json" };
      if (body !== undefined) headers["content-type"] = "application/json";
      const token = await getAccessToken();
      if (token) headers.authorization = `Bearer ${token}`;
      response = await fetchImpl(`${baseUrl}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      throw new ApiRequestError(0, "network_error", `Could not reach the server (${errorMessage(error)})`);
    }
    const json: unknown = response.status === 204 ? null : await response.json().catch(() => undefined);
    if (!response.ok) {
      const parsed = apiErrorSchema.safeParse(json);
      if (parsed.success) {
        const { code, message, files } = parsed.data.error;
        throw new ApiRequestError(response.status, code, message, files);
      }
      throw new ApiRequestError(
        response.status,
        "invalid_response",
        `The server answered ${response.status} ${response.statusText}`.trim(),
      );
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success)
      throw new ApiRequestError(response.status, "invalid_response", `Unexpected answer from ${method} ${path}`);
    return parsed.data;
  }

  /** One route of the table: its method, its path built from `params`, and a query string when given. */
  const call = <P extends string, S extends z.ZodType>(
    route: ApiRoute<P>,
    params: PathArgs<P>,
    schema: S,
    body?: unknown,
    search = "",
  ) => request(route.method, route.build(...params) + (search ? `?${search}` : ""), schema, body);

  return {
    getConfig: () => call(API_ROUTES.config, [], uploadConfigSchema),
    createBatch: (body) => call(API_ROUTES.createBatch, [], createBatchResponseSchema, body),
    refreshBatch: (batchId, indexes) =>
      call(API_ROUTES.refreshBatch, [{ batchId }], refreshBatchResponseSchema, { indexes }),
    addBatchFiles: (batchId, body) => call(API_ROUTES.addBatchFiles, [{ batchId }], addBatchFilesResponseSchema, body),
    removeBatchFile: async (batchId, index) => {
      await call(API_ROUTES.removeBatchFile, [{ batchId, index }], z.null());
    },
    reuseUpload: async (batchId, index, md5) =>
      (await call(API_ROUTES.reuseUpload, [{ batchId, index }], reuseUploadResponseSchema, { md5 })).reused,
    getBatch: (batchId) => call(API_ROUTES.getBatch, [{ batchId }], batchStatusSchema),
    discardBatch: async (batchId) => {
      await call(API_ROUTES.discardBatch, [{ batchId }], z.null());
    },
    commitStudy: (body) => call(API_ROUTES.commitStudy, [], studySchema, body),
    listStudies: (query = {}) => {
      const params = new URLSearchParams();
      if (query.limit !== undefined) params.set("limit", String(query.limit));
      if (query.cursor !== undefined) params.set("cursor", query.cursor);
      return call(API_ROUTES.listStudies, [], studyListSchema, undefined, params.toString());
    },
    getStudy: (studyId) => call(API_ROUTES.getStudy, [{ studyId }], studySchema),
    deleteStudy: async (studyId) => {
      await call(API_ROUTES.deleteStudy, [{ studyId }], z.null());
    },
  };
}

/** Every study, page after page (tests, soak and tools; the web shows one page at a time). */
export async function listAllStudies(api: Pick<ApiClient, "listStudies">): Promise<StudySummary[]> {
  const studies: StudySummary[] = [];
  let cursor: string | undefined;
  do {
    const page = await api.listStudies({ limit: 100, cursor });
    studies.push(...page.studies);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return studies;
}
