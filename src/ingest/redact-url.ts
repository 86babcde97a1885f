/**
 * Camera URLs carry passwords (`rtsp://admin:hunter2@cam/…`, `?token=…`), and ffmpeg echoes the URL in its
 * own messages. Everything nullcam shows or logs about a source goes through here first.
 */

/** Query keys whose values are secrets. */
const SECRET_QUERY_KEY = /^(pass(word)?|pwd|token|access_token|secret|key|api_?key|auth|sig(nature)?|credentials?)$/i;

/**
 * `scheme://user:pass@` or `scheme://user@` before a host. The userinfo ends at the LAST `@` of the
 * authority: people type passwords with a raw `@` (`admin:p@ss@cam`), and ffmpeg splits them there too.
 */
const USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)([^/?#\s]*)@/gi;

/** `key=value` in a query string or fragment. */
const QUERY_PAIR = /([?&#;])([^=&#\s]+)=([^&#\s]*)/g;

/**
 * Masks passwords in every URL inside `text` (a URL alone or a whole ffmpeg log line). The user name stays
 * so people can tell which account failed.
 * @example
 * redactUrl('rtsp://admin:hunter2@10.0.0.5/live?token=abc&ch=1') // 'rtsp://admin:***@10.0.0.5/live?token=***&ch=1'
 */
export function redactUrl(text: string): string {
  return text
    .replace(USERINFO, (_m, scheme: string, userinfo: string) => {
      const colon = userinfo.indexOf(':');
      return colon < 0 ? `${scheme}${userinfo}@` : `${scheme}${userinfo.slice(0, colon)}:***@`;
    })
    .replace(QUERY_PAIR, (m, sep: string, key: string) => (SECRET_QUERY_KEY.test(key) ? `${sep}${key}=***` : m));
}

/** True for sources ffmpeg opens through a network protocol rather than the file system. */
export function isUrl(source: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(source) && !/^file:/i.test(source);
}
