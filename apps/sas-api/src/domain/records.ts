import type { ImageType } from "@study-uploader/shared";

/** What the API stores for a batch when it hands out upload URLs; read back by whichever instance commits. */
export interface BatchPlan {
  version: 1;
  batchId: string;
  owner: string;
  createdAt: string;
  files: { index: number; name: string; size: number; type: ImageType; blobName: string }[];
}

export interface StudyRecord {
  version: 1;
  id: string;
  batchId: string;
  owner: string;
  title: string;
  description: string;
  createdAt: string;
  elements: {
    index: number;
    label: string;
    name: string;
    size: number;
    type: ImageType;
    blobName: string;
    md5: string;
  }[];
}

export const batchPlanName = (batchId: string) => `${batchId}.json`;
export const studyRecordName = (owner: string, studyId: string) => `${owner}/${studyId}.json`;
export const imageBlobName = (batchId: string, index: number) => `${batchId}/${index}`;
