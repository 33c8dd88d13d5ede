import {
  addBatchFilesResponseSchema,
  apiErrorSchema,
  batchStatusSchema,
  createBatchResponseSchema,
  refreshBatchResponseSchema,
  studyListSchema,
  studySchema,
  uploadConfigSchema,
  type AddBatchFilesRequest,
  type AddBatchFilesResponse,
  type BatchStatus,
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
import { z } from "zod";
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
    method: "GET" | "POST" | "DELETE",
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

  return {
    getConfig: () => request("GET", "/api/config", uploadConfigSchema),
    createBatch: (body) => request("POST", "/api/batches", createBatchResponseSchema, body),
    refreshBatch: (batchId, indexes) =>
      request("POST", `/api/batches/${encodeURIComponent(batchId)}/refresh`, refreshBatchResponseSchema, { indexes }),
    addBatchFiles: (batchId, body) =>
      request("POST", `/api/batches/${encodeURIComponent(batchId)}/files`, addBatchFilesResponseSchema, body),
    removeBatchFile: async (batchId, index) => {
      await request("DELETE", `/api/batches/${encodeURIComponent(batchId)}/files/${index}`, z.null());
    },
    getBatch: (batchId) => request("GET", `/api/batches/${encodeURIComponent(batchId)}`, batchStatusSchema),
    discardBatch: async (batchId) => {
      await request("DELETE", `/api/batches/${encodeURIComponent(batchId)}`, z.null());
    },
    commitStudy: (body) => request("POST", "/api/studies", studySchema, body),
    listStudies: (query = {}) => {
      const params = new URLSearchParams();
      if (query.limit !== undefined) params.set("limit", String(query.limit));
      if (query.cursor !== undefined) params.set("cursor", query.cursor);
      const search = params.toString();
      return request("GET", search ? `/api/studies?${search}` : "/api/studies", studyListSchema);
    },
    getStudy: (studyId) => request("GET", `/api/studies/${encodeURIComponent(studyId)}`, studySchema),
    deleteStudy: async (studyId) => {
      await request("DELETE", `/api/studies/${encodeURIComponent(studyId)}`, z.null());
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
