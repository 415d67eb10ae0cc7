import { ts } from "ts-morph";
import picomatch from "picomatch";
import { defineRule } from "../../src/core/rule.js";
import { DB_MODULES } from "../../src/core/data-access.js";
import { displayPath, isRelativeSpec, joinSpec, mermaidNode, moduleImports, type ModuleImport } from "../../src/core/module-graph.js";
import type { LayerConfig } from "../../src/core/layers.js";
import type { ProjectFacts } from "../../src/core/project-facts.js";
import type { FileFacts } from "../../src/core/file-facts.js";

type DefaultLayer = "controller" | "service" | "data" | "domain";

const FOLDER_LAYER: Record<string, DefaultLayer> = {
  controllers: "controller", controller: "controller", routes: "controller", routers: "controller", router: "controller",
  handlers: "controller", resolvers: "controller",
  services: "service", service: "service", usecases: "service", "use-cases": "service", "use_cases": "service",
  repositories: "data", repository: "data", repos: "data", dao: "data", daos: "data", db: "data", database: "data",
  "data-access": "data", dal: "data", models: "data", model: "data",
  domain: "domain",
};
const SUFFIX_LAYER: Record<string, DefaultLayer> = {
  controller: "controller", routes: "controller", router: "controller", resolver: "controller",
  service: "service", usecase: "service",
  repository: "data", repo: "data", dao: "data", model: "data",
};
const WEB_FRAMEWORKS = ["express", "fastify", "koa", "@koa/router", "koa-router", "@hapi/hapi", "hapi", "hono", "restify", "@nestjs/platform-express"];
/** Names that open a connection or give raw DB access when called or constructed. */
const DRIVER_ENTRY = /^(Pool|Client|PrismaClient|Sequelize|DataSource|MongoClient|createPool|createConnection|createClient|connect|getRepository|getConnection|getManager|getCustomRepository|getMongoRepository|Knex|knex|postgres|Database|drizzle|Kysely)$/;

interface Layered {
  layer: DefaultLayer;
  /** Which folder/suffix named the layer, for messages. */
  why: string;
}

/**
 * The default layer of a path. A `*.service.ts`-style suffix decides; in feature-folder layouts
 * (`routes/article/article.service.ts` next to `article.mapper.ts`, `token.utils.ts`) a file with any other suffix is a
 * helper of its feature, not code of the folder's layer. Otherwise the innermost layer-named folder decides.
 */
function defaultLayerOf(path: string, isTarget = false): Layered | undefined {
  const parts = path.split("/");
  const file = parts.pop() ?? "";
  const base = file.replace(/\.[cm]?[jt]sx?$/, "");
  const suffix = /\.([a-z-]+)$/i.exec(base)?.[1]?.toLowerCase();
  if (suffix && SUFFIX_LAYER[suffix]) return { layer: SUFFIX_LAYER[suffix], why: `*.${suffix}` };
  if (suffix && suffix !== "index") return undefined;
  // `../db` or `../repositories` may be a folder's index: the last segment names the layer too.
  if (isTarget && FOLDER_LAYER[base.toLowerCase()]) return { layer: FOLDER_LAYER[base.toLowerCase()], why: `${base}/` };
  for (let i = parts.length - 1; i >= 0; i--) {
    const l = FOLDER_LAYER[parts[i].toLowerCase()];
    if (l) return { layer: l, why: `${parts[i]}/` };
  }
  return undefined;
}

/** Code that registers routes or handles requests (what makes a file under `routes/` a controller, not a helper). */
const CONTROLLER_CODE = /\b(Router|express)\s*\(|\.(get|post|put|patch|delete|route|all)\s*\(\s*["'`/]|@Controller\b|\(\s*req\b[^)]*\bres\b|\b(FastifyInstance|FastifyPluginAsync|RouteOptions)\b|\bfastify\.(register|route)\b/;

/**
 * The layer, confirmed: a file counted as a controller only because of its folder (`routes/auth/auth.ts`) must itself
 * look like route code; an unsuffixed helper under `routes/` (token helpers, middlewares) is not a controller.
 */
function layerOf(project: ProjectFacts, path: string, isTarget = false): Layered | undefined {
  const l = defaultLayerOf(path, isTarget);
  if (!l || l.layer !== "controller" || l.why.startsWith("*.")) return l;
  const f = project.files.get(path);
  if (!f) return isTarget ? undefined : l;
  return CONTROLLER_CODE.test(f.text) ? l : undefined;
}

/** Does the project show a service layer (so controllers are expected to go through it)? */
const serviceLayerCache = new WeakMap<ProjectFacts, boolean>();
function projectHasServiceLayer(project: ProjectFacts): boolean {
  let v = serviceLayerCache.get(project);
  if (v === undefined) {
    v = [...project.files.keys()].some((p) => defaultLayerOf(p)?.layer === "service");
    serviceLayerCache.set(project, v);
  }
  return v;
}

/** Is one of the import's bindings constructed or called (a connection being opened, raw access), not only used as a type? */
function usesDriverAtRuntime(file: FileFacts, imp: ModuleImport): boolean {
  if (imp.typeOnly || !imp.names.length) return false;
  const names = new Set(imp.names);
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isCallExpression(n) || ts.isNewExpression(n)) {
      const callee = n.expression;
      if (ts.isIdentifier(callee) && names.has(callee.text) && (ts.isNewExpression(n) || DRIVER_ENTRY.test(callee.text) || imp.names.length === 1)) found = true;
      if (ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) && names.has(callee.expression.text) && DRIVER_ENTRY.test(callee.name.text)) found = true;
    }
    ts.forEachChild(n, visit);
  };
  visit(file.sourceFile);
  return found;
}

/**
 * Composition roots hand the DB/repository to the services they build (`new UserService(pool)`): every runtime use of
 * the import's names is an argument of a constructor or factory call. That is wiring, not a shortcut.
 */
function onlyInjected(file: FileFacts, imp: ModuleImport): boolean {
  const names = new Set(imp.names);
  if (!names.size) return false;
  let uses = 0;
  let injected = 0;
  const visit = (n: ts.Node): void => {
    if (ts.isIdentifier(n) && names.has(n.text) && !ts.isImportSpecifier(n.parent) && !ts.isImportClause(n.parent) && !ts.isNamespaceImport(n.parent) && !ts.isTypeReferenceNode(n.parent)) {
      uses++;
      const p = n.parent;
      if ((ts.isNewExpression(p) || ts.isCallExpression(p)) && p.arguments?.includes(n as ts.Expression)) {
        const callee = p.expression.getText();
        if (ts.isNewExpression(p) || /Service|Controller|Router|Routes|create|make|build|register|inject|provide|init|setup/i.test(callee)) injected++;
      }
    }
    ts.forEachChild(n, visit);
  };
  visit(file.sourceFile);
  return uses > 0 && uses === injected;
}

/**
 * Are the import's names used only in type positions (`Promise<Paginated<UserModel>>`)? Such an import is erased at
 * compile time: the controller names the shape of the data, it does not call the repository or bypass the service.
 */
function usedOnlyAsTypes(file: FileFacts, imp: ModuleImport): boolean {
  const names = new Set(imp.names);
  if (!names.size) return false;
  let valueUse = false;
  const visit = (n: ts.Node): void => {
    if (valueUse || ts.isImportDeclaration(n) || ts.isTypeNode(n) || ts.isInterfaceDeclaration(n) || ts.isTypeAliasDeclaration(n)) return;
    if (ts.isIdentifier(n)) {
      if (names.has(n.text) && !(ts.isPropertyAccessExpression(n.parent) && n.parent.name === n)) valueUse = true;
      return;
    }
    ts.forEachChild(n, visit);
  };
  visit(file.sourceFile);
  return !valueUse;
}

function diagram(from: string, allowed: string[], to: string, label: string): string {
  const lines = ["```mermaid", "graph LR", `  ${mermaidNode("A", displayPath(from))}`];
  allowed.slice(0, 3).forEach((a, i) => lines.push(`  A --> ${mermaidNode(`S${i}`, displayPath(a))}`));
  lines.push(`  A -. "${label}" .-> ${mermaidNode("X", displayPath(to))}`);
  lines.push(`  linkStyle ${Math.min(allowed.length, 3)} stroke:#d00,stroke-width:2px`);
  lines.push("```");
  return lines.join("\n");
}

function targetPathOf(file: FileFacts, project: ProjectFacts, spec: string): string {
  return project.resolveImport(file.path, spec) ?? joinSpec(file.path, spec);
}

/** Config mode: which configured layer a path (or a bare module name) belongs to. */
function configuredLayer(config: LayerConfig, path: string): string | undefined {
  const candidates = [path, path.replace(/\.[cm]?[jt]sx?$/, ""), `${path}.ts`, `${path}/index.ts`];
  for (const layer of config.layers) {
    const match = picomatch(layer.paths, { dot: true });
    if (candidates.some((c) => match(c))) return layer.name;
  }
  return undefined;
}

export default defineRule({
  meta: {
    id: "architecture/layer-violation",
    category: "architecture",
    severity: "warning",
    cwe: ["CWE-1054", "CWE-1057"],
    title: "Import crosses an architecture layer boundary",
    description:
      "A controller/route that talks to a repository, the DB client or a driver directly (or domain code that imports the web framework) " +
      "skips the layer that holds the business rules, transactions and authorization checks. The next change to that rule misses this path.",
    fix: "Go through the layer in between (call the service, inject the repository there) or, if the boundary is wrong, change `layers` in .vigil.yml.",
  },
  create(ctx) {
    const file = ctx.file;
    if (!file.isServerCode) return {};
    return {
      "SourceFile:exit"() {
        const imports = moduleImports(file.sourceFile).filter((i) => !i.typeOnly);
        const config = ctx.project.layers;
        if (config && config.layers.length) {
          const own = configuredLayer(config, file.path);
          const allow = own ? config.allow[own] : undefined;
          if (!own || !allow) return;
          const ok: string[] = [];
          const bad: { imp: ModuleImport; target: string; layer: string }[] = [];
          for (const imp of imports) {
            const target = isRelativeSpec(imp.spec) ? targetPathOf(file, ctx.project, imp.spec) : imp.spec;
            const layer = configuredLayer(config, target);
            if (!layer || layer === own) continue;
            if (allow.includes(layer)) ok.push(target);
            else bad.push({ imp, target, layer });
          }
          for (const b of bad) {
            ctx.report({
              node: b.imp.node,
              message: `Layer \`${own}\` imports \`${b.imp.spec}\` from layer \`${b.layer}\`; \`${own}\` may only import ${allow.length ? allow.map((a) => `\`${a}\``).join(", ") : "nothing outside itself"}.`,
              details: diagram(file.path, ok, b.target, `${own} → ${b.layer} not allowed`),
            });
          }
          return;
        }
        const own = layerOf(ctx.project, file.path);
        if (!own) return;
        const targets = imports.map((imp) => {
          const relative = isRelativeSpec(imp.spec);
          const path = relative ? targetPathOf(file, ctx.project, imp.spec) : imp.spec;
          return { imp, path, layer: relative ? layerOf(ctx.project, path, true) : undefined };
        });
        const importsService = targets.some((t) => t.layer?.layer === "service");
        const serviceLayer = importsService || projectHasServiceLayer(ctx.project);
        const allowedOf = (l: DefaultLayer) => targets.filter((t) => t.layer?.layer === l).map((t) => t.path);
        for (const t of targets) {
          if (own.layer === "controller") {
            if (t.layer?.layer === "data" && serviceLayer && (importsService || !/^models?\/$/i.test(t.layer.why) && !/model$/.test(t.layer.why)) && !onlyInjected(file, t.imp) && !usedOnlyAsTypes(file, t.imp)) {
              ctx.report({
                node: t.imp.node,
                message: `Controller/route code (\`${own.why}\`) imports the data layer (\`${t.imp.spec}\`) directly, bypassing the service layer.`,
                details: diagram(file.path, allowedOf("service"), t.path, "controller → data skips services"),
              });
            } else if (!t.layer && serviceLayer && DB_MODULES.some((m) => t.imp.spec === m || t.imp.spec.startsWith(m + "/")) && usesDriverAtRuntime(file, t.imp)) {
              ctx.report({
                node: t.imp.node,
                message: `Controller/route code (\`${own.why}\`) uses the database driver/ORM \`${t.imp.spec}\` directly instead of going through a service or repository.`,
                details: diagram(file.path, allowedOf("service"), t.imp.spec, "controller → DB driver"),
              });
            }
          } else if (own.layer === "domain") {
            if (!t.layer && WEB_FRAMEWORKS.includes(t.imp.spec)) {
              ctx.report({
                node: t.imp.node,
                message: `Domain code imports the web framework \`${t.imp.spec}\`: the domain must not depend on the delivery mechanism.`,
                details: diagram(file.path, [], t.imp.spec, "domain → web framework"),
              });
            } else if (t.layer?.layer === "controller") {
              ctx.report({
                node: t.imp.node,
                message: `Domain code imports controller/route code (\`${t.imp.spec}\`): dependencies must point inwards.`,
                details: diagram(file.path, [], t.path, "domain → controller"),
              });
            }
          } else if ((own.layer === "service" || own.layer === "data") && t.layer?.layer === "controller") {
            ctx.report({
              node: t.imp.node,
              message: `${own.layer === "service" ? "Service" : "Data-layer"} code (\`${own.why}\`) imports controller/route code (\`${t.imp.spec}\`): the dependency points the wrong way.`,
              details: diagram(file.path, [], t.path, `${own.layer} → controller`),
            });
          }
        }
      },
    };
  },
});
