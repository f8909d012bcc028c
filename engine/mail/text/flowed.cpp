#include "mail/text/flowed.h"

namespace dsar::mail {

std::string UnflowText(std::string_view text, bool delsp) {
  std::string out;
  std::string para;        // the logical line being joined
  std::string para_prefix; // its quote prefix
  bool in_para = false;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t nl = text.find('\n', pos);
    const bool last = nl == std::string_view::npos;
    if (last) nl = text.size();
    std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (last && line.empty()) break;
    std::size_t depth = 0;
    while (depth < line.size() && line[depth] == '>') ++depth;
    std::string prefix(line.substr(0, depth));
    std::string_view content = line.substr(depth);
    if (!content.empty() && content.front() == ' ') content.remove_prefix(1);  // space-stuffing
    const bool sig = content == "-- ";
    const bool soft = !sig && !content.empty() && content.back() == ' ';
    if (in_para && prefix != para_prefix) {  // quote depth changed: end the paragraph
      out += para_prefix.empty() ? para : para_prefix + " " + para;
      out += '\n';
      para.clear();
      in_para = false;
    }
    if (!in_para) para_prefix = prefix;
    std::string_view piece = content;
    if (soft && delsp) piece.remove_suffix(1);
    para.append(piece);
    in_para = true;
    if (!soft) {
      out += para_prefix.empty() ? para : para_prefix + " " + para;
      out += '\n';
      para.clear();
      in_para = false;
    }
  }
  if (in_para) out += para_prefix.empty() ? para : para_prefix + " " + para;
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

}  // namespace dsar::mail
