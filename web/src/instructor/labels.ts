/** Words for the API's enumerations (statuses, kinds, levels, question types), from the message catalog. */
import { t, type MessageKey } from "../i18n/messages";

export const LEVELS = ["beginner", "intermediate", "advanced"] as const;

function label(prefix: string, value: string): string {
  const key = `${prefix}.${value}` as MessageKey;
  const text = t(key);
  return text === key ? value : text;
}

export const levelLabel = (level: string) => label("instructor.level", level);
export const courseStatusLabel = (status: string) => label("instructor.courseStatus", status);
export const kindLabel = (kind: string) => label("instructor.kind", kind);
export const videoStatusLabel = (status: string) => label("instructor.videoStatus", status);
export const questionTypeLabel = (type: string) => label("instructor.questionType", type);
export const difficultyLabel = (difficulty: string) => label("instructor.difficulty", difficulty);
export const draftStatusLabel = (status: string) => label("instructor.draftStatus", status);
export const attemptStatusLabel = (status: string) => label("instructor.attemptStatus", status);
