/** Words for the API's enumerations in the staff areas (see admin/labels.ts, instructor/labels.ts). */
import { t, type MessageKey } from "../i18n/messages";

/** The words of `value` under `prefix` in the message catalog ("admin.role.Learner"), the value itself where the catalog has none. */
export function labeller(prefix: string): (value: string) => string {
  return (value) => {
    const key = `${prefix}.${value}` as MessageKey;
    const text = t(key);
    return text === key ? value : text;
  };
}
