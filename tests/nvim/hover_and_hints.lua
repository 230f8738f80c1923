-- Drives a real Neovim against `paramlens serve`: hover on each layer the test names, then the
-- inlay hints of the whole buffer. Writes what it saw as JSON to $PARAMLENS_OUT.
-- Run: nvim --headless -u NONE -i NONE -n -l hover_and_hints.lua
local file = os.getenv("PARAMLENS_FILE")
local out = os.getenv("PARAMLENS_OUT")
local server = vim.json.decode(os.getenv("PARAMLENS_CMD"))
local positions = vim.json.decode(os.getenv("PARAMLENS_POSITIONS")) -- {{line, character}, ...} 0-based

local function finish(result)
  local handle = assert(io.open(out, "w"))
  handle:write(vim.json.encode(result))
  handle:close()
end

local ok, err = pcall(function()
  vim.cmd.edit(file)
  local buf = vim.api.nvim_get_current_buf()
  vim.bo[buf].filetype = "python" -- -u NONE turns detection off
  local id = vim.lsp.start({ name = "paramlens", cmd = server, root_dir = vim.fs.dirname(file) })
  local client = vim.lsp.get_client_by_id(id)
  assert(vim.wait(15000, function() return client.initialized end), "server did not initialize")
  local result = { hovers = {}, hints = {} }
  for _, pos in ipairs(positions) do
    vim.api.nvim_win_set_cursor(0, { pos[1] + 1, pos[2] })
    local params = vim.lsp.util.make_position_params(0, "utf-16")
    local replies = vim.lsp.buf_request_sync(buf, "textDocument/hover", params, 10000) or {}
    local text = vim.NIL
    for _, reply in pairs(replies) do
      if reply.result and reply.result.contents then text = reply.result.contents.value end
    end
    table.insert(result.hovers, text)
  end
  vim.lsp.inlay_hint.enable(true, { bufnr = buf })
  local got = {}
  vim.wait(10000, function()
    got = vim.lsp.inlay_hint.get({ bufnr = buf })
    return #got >= tonumber(os.getenv("PARAMLENS_MIN_HINTS") or "1")
  end)
  for _, item in ipairs(got) do
    local label = item.inlay_hint.label
    if type(label) == "table" then
      local parts = {}
      for _, part in ipairs(label) do table.insert(parts, part.value) end
      label = table.concat(parts)
    end
    table.insert(result.hints, { line = item.inlay_hint.position.line,
      character = item.inlay_hint.position.character, label = label })
  end
  finish(result)
end)
if not ok then
  finish({ error = tostring(err) })
  vim.cmd("cquit 1")
end
vim.cmd("qall!")
