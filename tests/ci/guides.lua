-- pandoc filter for tests/ci/render_guides.py: links between the Markdown guides become Sphinx references
-- to the docsite pages made from them; other relative links point at the file in the repository.
local LABEL = "ansible_collections.iwinv.cloud.docsite."
local REPOSITORY = "https://github.com/iwinv-cloud/ansible-collection/blob/main/"

function Link(link)
  local target = link.target
  if target:match("^%a[%w+.-]*:") or target:match("^#") then
    return nil
  end
  local name = target:match("^([%w_-]+)%.md$")
  if name and GUIDES[name] then
    local text = pandoc.utils.stringify(link.content)
    if text == target then -- a bare file name: the page's own title reads better
      return pandoc.RawInline("rst", ":ref:`" .. LABEL .. name .. "`")
    end
    return pandoc.RawInline("rst", ":ref:`" .. text .. " <" .. LABEL .. name .. ">`")
  end
  if target:match("^%.%./") then
    link.target = REPOSITORY .. target:sub(4)
  else
    link.target = REPOSITORY .. "docs/" .. target
  end
  return link
end

-- rstcheck (antsibull-docs lint) reads yaml blocks with a plain YAML loader that knows no Ansible tag such as
-- !vault: Sphinx's yaml+jinja lexer still highlights them, and rstcheck leaves that language alone.
function CodeBlock(block)
  if block.classes[1] == "yaml" and block.text:match("!vault") then
    block.classes[1] = "yaml+jinja"
  end
  return block
end

function Meta(meta)
  GUIDES = {}
  for name in pandoc.utils.stringify(meta.guides or ""):gmatch("[%w_-]+") do
    GUIDES[name] = true
  end
end

return {{Meta = Meta}, {Link = Link, CodeBlock = CodeBlock}}
