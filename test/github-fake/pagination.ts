/** GitHub REST pagination: `per_page` (default 30, max 100), `page`, and the `Link` header. */

export const DEFAULT_PER_PAGE = 30;
export const MAX_PER_PAGE = 100;

export interface Page<T> {
  items: T[];
  /** `Link` header value; undefined when everything fits in one page. */
  link: string | undefined;
}

/**
 * Slices `items` for the request at `requestUrl` (absolute, with its query string). Link URLs
 * repeat the request's other query parameters, like GitHub's do.
 */
export function paginate<T>(items: readonly T[], requestUrl: URL): Page<T> {
  const perPage = clamp(intParam(requestUrl, "per_page") ?? DEFAULT_PER_PAGE, 1, MAX_PER_PAGE);
  const page = Math.max(1, intParam(requestUrl, "page") ?? 1);
  const lastPage = Math.max(1, Math.ceil(items.length / perPage));
  const slice = items.slice((page - 1) * perPage, page * perPage);
  if (lastPage === 1 && page === 1) return { items: slice, link: undefined };

  const links: string[] = [];
  const add = (target: number, rel: string) => {
    const url = new URL(requestUrl);
    url.searchParams.set("per_page", String(perPage));
    url.searchParams.set("page", String(target));
    links.push(`<${url.toString()}>; rel="${rel}"`);
  };
  if (page > 1) add(Math.min(page - 1, lastPage), "prev");
  if (page < lastPage) {
    add(page + 1, "next");
    add(lastPage, "last");
  }
  if (page > 1) add(1, "first");
  return { items: slice, link: links.join(", ") };
}

function intParam(url: URL, name: string): number | undefined {
  const raw = url.searchParams.get(name);
  if (raw === null || !/^\d+$/.test(raw)) return undefined;
  return Number(raw);
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
