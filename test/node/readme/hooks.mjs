// Module hooks for to-mock.mjs: "ws", imported by a README example, is ws-to-mock.mjs.
export async function resolve(specifier, context, next) {
  if (specifier === "ws" && context.parentURL?.includes("/readme-")) {
    return { url: new URL("./ws-to-mock.mjs", import.meta.url).href, shortCircuit: true };
  }
  return next(specifier, context);
}
