/**
 * A file sent straight to the signed upload URL the media route hands out: the browser PUTs the
 * bytes to blob storage (the local blob route on the embedded profile), never through the API.
 * XMLHttpRequest, because fetch has no upload progress events.
 */
import { t } from "../i18n/messages";

export interface SignedUpload {
  uploadUrl: string;
  method: "PUT";
  headers: Record<string, string>;
  maxBytes: number;
}

export interface UploadProgress {
  loaded: number;
  total: number;
}

export class UploadError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = "UploadError";
  }
}

/** The share of bytes sent, 0..100 (0 while the total is not known). */
export function percentSent(progress: UploadProgress): number {
  if (!progress.total) return 0;
  return Math.min(100, Math.max(0, (100 * progress.loaded) / progress.total));
}

/** Why blob storage refused a PUT, in words: an Azure error's <Message>, a problem's detail, or the status. */
export function uploadFailure(status: number, body: string): string {
  const azure = /<Message>([\s\S]*?)<\/Message>/.exec(body)?.[1]?.trim();
  if (azure) return azure.split("\n")[0] ?? azure;
  try {
    const problem = JSON.parse(body) as { detail?: unknown };
    if (typeof problem.detail === "string") return problem.detail;
  } catch {
    // not JSON
  }
  return status === 0 ? t("error.network") : t("error.status", { status });
}

/** PUTs `file` to the signed URL with its headers; resolves when storage accepted it (2xx). */
export function putFile(
  target: SignedUpload,
  file: Blob,
  onProgress: (progress: UploadProgress) => void,
  signal?: AbortSignal,
): Promise<void> {
  if (file.size > target.maxBytes) return Promise.reject(new UploadError(t("instructor.video.tooLarge"), 413));
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(target.method, target.uploadUrl);
    for (const [name, value] of Object.entries(target.headers)) xhr.setRequestHeader(name, value);
    if (file.type) xhr.setRequestHeader("Content-Type", file.type);
    xhr.upload.onprogress = (event) => onProgress({ loaded: event.loaded, total: event.lengthComputable ? event.total : file.size });
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress({ loaded: file.size, total: file.size });
        resolve();
      } else reject(new UploadError(uploadFailure(xhr.status, xhr.responseText), xhr.status));
    };
    xhr.onerror = () => reject(new UploadError(uploadFailure(0, ""), 0));
    xhr.onabort = () => reject(new UploadError(t("instructor.video.cancelled"), 0));
    signal?.addEventListener("abort", () => xhr.abort(), { once: true });
    xhr.send(file);
  });
}
