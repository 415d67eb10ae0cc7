/**
 * The two GraphQL operations the fake supports, recognised by their text (no GraphQL parser):
 * - a query containing `reviewThreads` under `repository(owner, name) { pullRequest(number) }`;
 * - a mutation containing `resolveReviewThread(input: { threadId })`.
 * Answers carry a superset of the fields such queries usually select.
 */
import type { FakeState } from "./state.js";
import type { StoredReviewComment } from "./types.js";

export interface GraphqlOutcome {
  body: unknown;
  /** Set when the request is not something the fake (or GitHub) would accept. */
  violation?: string;
}

type Vars = Record<string, unknown>;

export function handleGraphql(state: FakeState, body: unknown): GraphqlOutcome {
  if (typeof body !== "object" || body === null || typeof (body as Vars).query !== "string") {
    return failure("graphql: body must be a JSON object with a string `query`", "A query attribute must be specified and must be a string.");
  }
  const query = (body as Vars).query as string;
  const variables = ((body as Vars).variables ?? {}) as Vars;
  if (/\bresolveReviewThread\b/.test(query)) return resolveThread(state, query, variables);
  if (/\breviewThreads\b/.test(query)) return reviewThreads(state, query, variables);
  return failure(`graphql: unsupported operation: ${query.replace(/\s+/g, " ").slice(0, 120)}`, "The fake does not support this query");
}

function failure(violation: string, message: string): GraphqlOutcome {
  return { violation, body: { errors: [{ message }] } };
}

function reviewThreads(state: FakeState, query: string, vars: Vars): GraphqlOutcome {
  const repoArgs = fieldArgs(query, "repository", vars);
  const prArgs = fieldArgs(query, "pullRequest", vars);
  const owner = repoArgs.owner;
  const name = repoArgs.name;
  const number = prArgs.number;
  if (typeof owner !== "string" || typeof name !== "string" || typeof number !== "number") {
    return failure(
      `graphql: reviewThreads query needs repository(owner:, name:) and pullRequest(number:) (got owner=${String(owner)} name=${String(name)} number=${String(number)})`,
      "Variable values are missing or of the wrong type",
    );
  }
  const pull = [...state.pulls.values()].find(
    (p) => p.owner.toLowerCase() === owner.toLowerCase() && p.repo.toLowerCase() === name.toLowerCase() && p.number === number,
  );
  if (!pull) {
    return {
      body: {
        data: { repository: { pullRequest: null } },
        errors: [{ type: "NOT_FOUND", path: ["repository", "pullRequest"], message: `Could not resolve to a PullRequest with the number of ${number}.` }],
      },
    };
  }
  const threadsTail = query.slice(query.search(/\breviewThreads\b/));
  const threadArgs = fieldArgs(threadsTail, "reviewThreads", vars);
  const commentArgs = fieldArgs(threadsTail, "comments", vars);
  const comments = state.commentsOf(pull);
  const roots = comments.filter((c) => c.in_reply_to_id === undefined);
  const start = typeof threadArgs.after === "string" ? Number(Buffer.from(threadArgs.after, "base64").toString()) + 1 : 0;
  const first = typeof threadArgs.first === "number" ? threadArgs.first : 100;
  const page = roots.slice(start, start + first);
  const perThread = typeof commentArgs.first === "number" ? commentArgs.first : 100;
  const nodes = page.map((root) => {
    const thread = [root, ...comments.filter((c) => c.in_reply_to_id === root.id)];
    const id = state.threadId(root);
    const resolved = state.isResolved(id);
    return {
      __typename: "PullRequestReviewThread",
      id,
      isResolved: resolved,
      isOutdated: false,
      isCollapsed: resolved,
      path: root.path,
      line: root.line,
      originalLine: root.line,
      startLine: root.start_line,
      diffSide: root.side,
      viewerCanResolve: true,
      comments: {
        totalCount: thread.length,
        pageInfo: { hasNextPage: thread.length > perThread, endCursor: null },
        nodes: thread.slice(0, perThread).map(commentNode),
      },
    };
  });
  const end = start + page.length - 1;
  return {
    body: {
      data: {
        repository: {
          pullRequest: {
            reviewThreads: {
              totalCount: roots.length,
              pageInfo: {
                hasNextPage: start + page.length < roots.length,
                endCursor: page.length ? Buffer.from(String(end)).toString("base64") : null,
              },
              nodes,
            },
          },
        },
      },
    },
  };
}

function commentNode(c: StoredReviewComment): Record<string, unknown> {
  return {
    __typename: "PullRequestReviewComment",
    id: `PRRC_${c.id}`,
    databaseId: c.id,
    body: c.body,
    path: c.path,
    line: c.line,
    createdAt: c.created_at,
    url: `https://github.com/${c.owner}/${c.repo}/pull/${c.pull_number}#discussion_r${c.id}`,
    replyTo: c.in_reply_to_id === undefined ? null : { databaseId: c.in_reply_to_id },
    // GraphQL names bots without the "[bot]" suffix that REST shows.
    author: { __typename: c.user.type, login: c.user.type === "Bot" ? c.user.login.replace(/\[bot\]$/, "") : c.user.login },
  };
}

function resolveThread(state: FakeState, query: string, vars: Vars): GraphqlOutcome {
  const input = fieldArgs(query, "resolveReviewThread", vars).input as Vars | undefined;
  const threadId = input?.threadId;
  if (typeof threadId !== "string") {
    return failure("graphql: resolveReviewThread needs input: { threadId }", "Argument 'threadId' on InputObject 'ResolveReviewThreadInput' is required.");
  }
  if (!state.resolveThread(threadId)) {
    return {
      body: {
        data: { resolveReviewThread: null },
        errors: [{ type: "NOT_FOUND", path: ["resolveReviewThread"], message: `Could not resolve to a node with the global id of '${threadId}'` }],
      },
    };
  }
  return { body: { data: { resolveReviewThread: { thread: { id: threadId, isResolved: true } } } } };
}

/** Arguments of the first `field(...)` in `text`, with variables substituted. */
export function fieldArgs(text: string, field: string, vars: Vars): Vars {
  const open = new RegExp(`\\b${field}\\s*\\(`).exec(text);
  if (!open) return {};
  let depth = 0;
  let end = open.index + open[0].length;
  for (; end < text.length; end++) {
    const ch = text[end];
    if (ch === "(" || ch === "{") depth++;
    else if (ch === "}") depth--;
    else if (ch === ")") {
      if (depth === 0) break;
      depth--;
    }
  }
  return parseObject(text.slice(open.index + open[0].length, end), vars);
}

function parseObject(source: string, vars: Vars): Vars {
  const out: Vars = {};
  const pair = /(\w+)\s*:\s*(\$\w+|"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?|true|false|null|\{[^}]*\})/g;
  for (const m of source.matchAll(pair)) out[m[1]!] = value(m[2]!, vars);
  return out;
}

function value(raw: string, vars: Vars): unknown {
  if (raw.startsWith("$")) return vars[raw.slice(1)];
  if (raw.startsWith("{")) return parseObject(raw.slice(1, -1), vars);
  return JSON.parse(raw) as unknown;
}
