-- luacheck settings for Petal's Redis function library (Sources/Petal/Lua). A test lints the
-- library as Redis loads it: prelude.lua, then the other files in name order, in one piece.
std = "lua51"
-- What Redis gives a function library (no other globals: Redis refuses to create any).
read_globals = {"redis", "cjson", "cmsgpack", "bit", "struct"}
max_line_length = 130
