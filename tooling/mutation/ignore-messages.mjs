// A Stryker ignorer: the wording of an error message is not part of the contract (the
// error's code, its `backend` and the `[backend] ` prefix are, and the kit checks those),
// so no kit test can tell a reworded message from the original. Mutants of the message
// argument of the calls below are ignored instead of being counted as survivors.
// Only the message argument is ignored; an error's code argument is still mutated.

/** Callee name → index of its message (or message-label) argument. */
const MESSAGE_ARGUMENT = new Map([
  ["invalidArgument", 1],
  ["conflict", 0],
  ["BackendError", 1],
  ["rethrow", 2],
  ["assertName", 2],
  ["assertInteger", 2],
  ["assertNonNegativeInteger", 2],
  ["assertPlainObject", 2],
]);

function calleeName(node) {
  const callee = node.callee;
  if (callee?.type === "Identifier") return callee.name;
  if (callee?.type === "MemberExpression" && callee.property?.type === "Identifier") return callee.property.name;
  return undefined;
}

const errorMessages = {
  shouldIgnore(path) {
    if (!path.isStringLiteral() && !path.isTemplateLiteral()) return undefined;
    const parent = path.parentPath;
    if (parent === null || !(parent.isCallExpression() || parent.isNewExpression())) return undefined;
    const name = calleeName(parent.node);
    const index = MESSAGE_ARGUMENT.get(name);
    if (index === undefined || parent.node.arguments[index] !== path.node) return undefined;
    return `error message wording (argument of ${name}) is not part of the contract`;
  },
};

export const strykerPlugins = [{ kind: "Ignore", name: "error-messages", value: errorMessages }];
