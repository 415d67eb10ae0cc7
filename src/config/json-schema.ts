import { z } from "zod";
import { configSchema } from "./schema.js";

/** JSON Schema of .github/vigil.yml for editors (yaml-language-server), generated from the zod schema. */
export function configJsonSchema(): object {
  return {
    $id: "https://github.com/vigil-review/vigil/blob/main/docs/vigil.schema.json",
    title: "Vigil configuration (.github/vigil.yml)",
    ...z.toJSONSchema(configSchema, { io: "input" }),
  };
}
