// The fields of a web form relayed by mail ("Key<TAB>Value" rows, "Key: Value" lines).
//
// Pure and thread-safe.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace dsar::mail::classify {

struct FormField {
  std::string key;  // folded
  std::string value;
};

// "Key<TAB>Value" rows (HTML tables) and short "Key: Value" lines (also with the full-width
// colon Japanese forms write), keys at most 40 bytes.
std::vector<FormField> FormFields(std::string_view text);

// True when folded `key` (at most four words) is one of `names`, word for word.
bool KeyIs(const std::string& key, std::initializer_list<const char*> names);

// True when folded `key` (at most four words) has one of `names` as a word.
bool KeyMentions(const std::string& key, std::initializer_list<const char*> names);

}  // namespace dsar::mail::classify
