import { ts } from "ts-morph";
import { defineRule } from "../../src/core/rule.js";
import { nodeText, unwrap } from "../../src/core/ast.js";
import { isRelativeSpec, joinSpec, moduleImports } from "../../src/core/module-graph.js";
import type { ProjectFacts } from "../../src/core/project-facts.js";

const INTERNAL_SEGMENT = /^(internal|private|_internal|__internal__|_private)$/;
/** Infrastructure clients by module: constructor names (new X()) and factory names (createClient()). */
const INFRA: { module: RegExp; ctors?: RegExp; factories?: RegExp }[] = [
  { module: /^pg$/, ctors: /^(Pool|Client)$/ },
  { module: /^@prisma\/client$/, ctors: /^PrismaClient$/ },
  { module: /^ioredis$/, ctors: /^(default|Redis|Cluster)$/ },
  { module: /^redis$/, factories: /^(createClient|createCluster)$/ },
  { module: /^@aws-sdk\/client-/, ctors: /Client$/ },
  { module: /^kafkajs$/, ctors: /^Kafka$/ },
  { module: /^mongodb$/, ctors: /^MongoClient$/ },
  { module: /^sequelize(-typescript)?$/, ctors: /^(default|Sequelize)$/ },
  { module: /^typeorm$/, ctors: /^DataSource$/ },
  { module: /^@elastic\/elasticsearch$/, ctors: /^Client$/ },
  { module: /^(bullmq|bull)$/, ctors: /^(default|Queue)$/ },
  { module: /^stripe$/, ctors: /^(default|Stripe)$/ },
  { module: /^mysql2(\/promise)?$/, factories: /^(createPool|createConnection)$/ },
  { module: /^@google-cloud\/(storage|pubsub)$/, ctors: /^(Storage|PubSub)$/ },
];
const BUSINESS_DIR = /(^|\/)(services?|domain|usecases|use-cases|use_cases|application|core)\//i;
const BUSINESS_FILE = /\.(service|usecase|use-case|domain)\.[cm]?[jt]sx?$/i;
/** Files whose job is to build clients: composition roots, providers, factories, modules. */
const PROVIDER_FILE = /(client|connection|database|\bdb\b|prisma|redis|provider|factory|container|module|config|infra|bootstrap|setup|index)[^/]*\.[cm]?[jt]sx?$/i;

/** Class names that some constructor in the project takes as a parameter type, or that some class extends. */
const injectedCache = new WeakMap<ProjectFacts, Set<string>>();
function injectedTypes(project: ProjectFacts): Set<string> {
  const cached = injectedCache.get(project);
  if (cached) return cached;
  const out = new Set<string>();
  for (const file of project.files.values()) {
    if (!/constructor\s*\(|extends\s/.test(file.text)) continue;
    for (const st of file.sourceFile.statements) {
      if (!ts.isClassDeclaration(st)) continue;
      for (const h of st.heritageClauses ?? []) for (const t of h.types) if (h.token === ts.SyntaxKind.ExtendsKeyword) out.add(`extends:${nodeText(t.expression)}`);
      for (const m of st.members) {
        if (!ts.isConstructorDeclaration(m)) continue;
        for (const p of m.parameters) {
          const t = p.type?.getText();
          if (t) for (const name of t.match(/[A-Za-z_$][\w$]*/g) ?? []) out.add(name);
        }
      }
    }
  }
  injectedCache.set(project, out);
  return out;
}

function packageRoot(path: string): string | undefined {
  const parts = path.split("/");
  const i = parts.indexOf("src");
  return i < 0 ? undefined : parts.slice(0, i).join("/");
}

export default defineRule({
  meta: {
    id: "architecture/tight-coupling",
    category: "architecture",
    severity: "warning",
    cwe: ["CWE-1086", "CWE-1047"],
    title: "Reaches into another module's internals or builds its own infrastructure",
    description:
      "A deep import into another service's/package's `src/` or `internal/` folder ties this code to files the other team considers private: their " +
      "next refactor breaks this build or, worse, its behaviour. Business logic that constructs its own DB/queue/cache client (while the codebase " +
      "injects them elsewhere) opens extra connection pools, ignores shared configuration and cannot be tested with a fake.",
    fix: "Import the other module through its public entry point (package name / index), or move the shared code into a shared package. Take infrastructure clients as constructor parameters (or from the DI container) instead of `new`-ing them.",
  },
  create(ctx) {
    const file = ctx.file;
    if (!file.isServerCode) return {};
    const business = (BUSINESS_DIR.test(file.path) || BUSINESS_FILE.test(file.path)) && !PROVIDER_FILE.test(file.path.slice(file.path.lastIndexOf("/") + 1));
    const check = (call: ts.NewExpression | ts.CallExpression, isNew: boolean): void => {
      const b = file.imports.bindingOf(call.expression);
      if (!b) return;
      const name = b.path.at(-1) ?? "default";
      const infra = INFRA.find((i) => i.module.test(b.module) && (isNew ? i.ctors?.test(name) : i.factories?.test(name)));
      if (!infra) return;
      const local = unwrap(call.expression);
      const className = ts.isIdentifier(local) ? local.text : name;
      const injected = injectedTypes(ctx.project);
      if (!injected.has(className) && !injected.has(name) && !injected.has(`extends:${className}`)) return;
      ctx.report({
        node: call,
        message: `Business logic creates its own \`${className}\` (${b.module}) while the codebase injects it elsewhere: take it as a constructor parameter so connections, configuration and test doubles are shared.`,
      });
    };
    return {
      "SourceFile:exit"() {
        for (const imp of moduleImports(file.sourceFile)) {
          if (imp.typeOnly) continue;
          if (isRelativeSpec(imp.spec)) {
            const target = joinSpec(file.path, imp.spec);
            const parts = target.split("/");
            const idx = parts.findIndex((p) => INTERNAL_SEGMENT.test(p));
            if (idx > 0) {
              const owner = parts.slice(0, idx).join("/");
              if (!file.path.startsWith(owner + "/")) {
                ctx.report({ node: imp.node, message: `Import of \`${imp.spec}\` reaches into the internals of \`${owner}\`: use its public entry point.` });
                continue;
              }
            }
            const ups = (imp.spec.match(/\.\.\//g) ?? []).length;
            const mine = packageRoot(file.path);
            const theirs = packageRoot(target);
            if (ups >= 2 && mine !== undefined && theirs !== undefined && theirs !== mine && theirs !== "") {
              ctx.report({ node: imp.node, message: `Import of \`${imp.spec}\` reaches into another package's sources (\`${theirs}/src\`): depend on the package, not its files.` });
            }
          } else {
            const parts = imp.spec.split("/");
            const rest = parts.slice(imp.spec.startsWith("@") ? 2 : 1);
            if (rest.some((p) => INTERNAL_SEGMENT.test(p)) || rest[0] === "src") {
              ctx.report({ node: imp.node, message: `Import of \`${imp.spec}\` reaches into the package's ${rest[0] === "src" ? "sources" : "internals"}: use its public exports.` });
            }
          }
        }
      },
      NewExpression(n) {
        if (business) check(n, true);
      },
      CallExpression(n) {
        if (business) check(n, false);
      },
    };
  },
});
