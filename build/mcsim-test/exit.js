// Native helpers for the mcsim test app: the SDK offers JS no way to end the
// process with an exit code, and trace output must be flushed before it ends.
export function exit(code) @ "xs_cabinet_exit";
export function print(text) @ "xs_cabinet_print";
