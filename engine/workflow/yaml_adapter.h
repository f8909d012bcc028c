// A valijson adapter over yaml-cpp nodes with YAML 1.2 core-schema typing (internal to
// engine/workflow).
//
// valijson's own YamlCppAdapter reports every node as a string and no node as a boolean or a
// number, so under strong type checking `type: boolean` never matches and under weak checking
// `type: string` accepts a mapping. This adapter resolves each scalar the way YAML 1.2's core
// schema does, so the JSON Schema means what it says:
//   quoted or explicitly tagged scalar  -> string ('1', "true")
//   plain ~, null, Null, NULL, empty     -> null
//   plain true/True/TRUE/false/...       -> boolean (not yes/no/on/off: those are strings)
//   plain 12, -3, 0x1f, 0o17             -> integer
//   plain 1.5, 1e3, .inf, .nan           -> number
//   any other plain scalar               -> string
// Use it with valijson::Validator(kStrongTypes). Mapping keys are read with Scalar(); the loader
// rejects non-scalar keys before validation.
//
// Lifetime: an adapter holds a YAML::Node (a shared handle), so it keeps its document alive.
// Thread safety: as yaml-cpp's const Node API (concurrent reads of one document are fine).
#pragma once

// valijson reports a malformed schema by exception rather than abort(); every TU including
// valijson in this module sees the same setting (it selects inline definitions).
#ifndef VALIJSON_USE_EXCEPTIONS
#define VALIJSON_USE_EXCEPTIONS 1
#endif

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include <valijson/internal/optional.hpp>
#include <valijson/internal/adapter.hpp>
#include <valijson/internal/basic_adapter.hpp>
#include <valijson/internal/frozen_value.hpp>

namespace dsar::workflow {

enum class ScalarKind { kNotScalar, kNull, kBool, kInteger, kNumber, kString };

// The YAML 1.2 core-schema type of `node` (see above).
ScalarKind ClassifyScalar(const YAML::Node& node);
// The value of a plain boolean scalar; nullopt when `node` is not kBool.
std::optional<bool> ScalarBool(const YAML::Node& node);
// The value of an integer scalar; nullopt when `node` is not kInteger or out of range.
std::optional<std::int64_t> ScalarInteger(const YAML::Node& node);
// "a mapping", "a list", "nothing", "true", "integer 5", "'text'": for messages.
std::string DescribeNode(const YAML::Node& node);

class StrictYamlAdapter;
class StrictYamlArrayIterator;
class StrictYamlObjectIterator;
using StrictYamlObjectMember = std::pair<std::string, StrictYamlAdapter>;

class StrictYamlArray {
 public:
  using const_iterator = StrictYamlArrayIterator;
  using iterator = StrictYamlArrayIterator;
  StrictYamlArray() : value_(YAML::Node(YAML::NodeType::Sequence)) {}
  explicit StrictYamlArray(const YAML::Node& value) : value_(value) {}
  StrictYamlArrayIterator begin() const;
  StrictYamlArrayIterator end() const;
  size_t size() const { return value_.size(); }

 private:
  const YAML::Node value_;
};

class StrictYamlObject {
 public:
  using const_iterator = StrictYamlObjectIterator;
  using iterator = StrictYamlObjectIterator;
  StrictYamlObject() : value_(YAML::Node(YAML::NodeType::Map)) {}
  explicit StrictYamlObject(const YAML::Node& value) : value_(value) {}
  StrictYamlObjectIterator begin() const;
  StrictYamlObjectIterator end() const;
  StrictYamlObjectIterator find(const std::string& name) const;
  size_t size() const { return value_.size(); }

 private:
  const YAML::Node value_;
};

class StrictYamlFrozenValue : public valijson::adapters::FrozenValue {
 public:
  explicit StrictYamlFrozenValue(const YAML::Node& source) : value_(YAML::Clone(source)) {}
  FrozenValue* clone() const override { return new StrictYamlFrozenValue(value_); }
  bool equalTo(const valijson::adapters::Adapter& other, bool strict) const override;

 private:
  YAML::Node value_;
};

class StrictYamlValue {
 public:
  StrictYamlValue() : value_(YAML::Node(YAML::NodeType::Map)) {}
  explicit StrictYamlValue(const YAML::Node& value) : value_(value), kind_(ClassifyScalar(value)) {}

  valijson::adapters::FrozenValue* freeze() const { return new StrictYamlFrozenValue(value_); }

  opt::optional<StrictYamlArray> getArrayOptional() const {
    if (value_.IsSequence()) return opt::make_optional(StrictYamlArray(value_));
    return {};
  }
  bool getArraySize(size_t& result) const {
    if (!value_.IsSequence()) return false;
    result = value_.size();
    return true;
  }
  opt::optional<StrictYamlObject> getObjectOptional() const {
    if (value_.IsMap()) return opt::make_optional(StrictYamlObject(value_));
    return {};
  }
  bool getObjectSize(size_t& result) const {
    if (!value_.IsMap()) return false;
    result = value_.size();
    return true;
  }
  bool getBool(bool& result) const;
  bool getDouble(double& result) const;
  bool getInteger(int64_t& result) const;
  bool getString(std::string& result) const {
    if (kind_ != ScalarKind::kString) return false;
    result = value_.Scalar();
    return true;
  }

  static bool hasStrictTypes() { return true; }
  bool isArray() const { return value_.IsSequence(); }
  bool isBool() const { return kind_ == ScalarKind::kBool; }
  bool isDouble() const { return kind_ == ScalarKind::kNumber; }
  bool isInteger() const { return kind_ == ScalarKind::kInteger; }
  bool isNull() const { return kind_ == ScalarKind::kNull; }
  bool isNumber() const { return kind_ == ScalarKind::kInteger || kind_ == ScalarKind::kNumber; }
  bool isObject() const { return value_.IsMap(); }
  bool isString() const { return kind_ == ScalarKind::kString; }

 private:
  const YAML::Node value_;
  ScalarKind kind_ = ScalarKind::kNotScalar;
};

class StrictYamlAdapter
    : public valijson::adapters::BasicAdapter<StrictYamlAdapter, StrictYamlArray, StrictYamlObjectMember,
                                              StrictYamlObject, StrictYamlValue> {
 public:
  StrictYamlAdapter() : BasicAdapter() {}
  explicit StrictYamlAdapter(const YAML::Node& value) : BasicAdapter(StrictYamlValue{value}) {}
};

// Iterates a sequence by position (valijson's uniqueItems check steps backwards, which
// yaml-cpp's own iterators cannot).
class StrictYamlArrayIterator {
 public:
  using iterator_category = std::bidirectional_iterator_tag;
  using value_type = StrictYamlAdapter;
  using difference_type = StrictYamlAdapter;
  using pointer = StrictYamlAdapter*;
  using reference = StrictYamlAdapter&;

  StrictYamlArrayIterator(const YAML::Node& seq, std::size_t pos) : seq_(seq), pos_(pos) {}
  StrictYamlArrayIterator(const StrictYamlArrayIterator& o) = default;
  // Rebinds with reset(): YAML::Node::operator= would overwrite the sequence in the document.
  StrictYamlArrayIterator& operator=(const StrictYamlArrayIterator& o) {
    seq_.reset(o.seq_);
    pos_ = o.pos_;
    return *this;
  }
  StrictYamlAdapter operator*() const { return StrictYamlAdapter(seq_[pos_]); }
  valijson::adapters::DerefProxy<StrictYamlAdapter> operator->() const {
    return valijson::adapters::DerefProxy<StrictYamlAdapter>(**this);
  }
  bool operator==(const StrictYamlArrayIterator& o) const { return pos_ == o.pos_; }
  bool operator!=(const StrictYamlArrayIterator& o) const { return pos_ != o.pos_; }
  const StrictYamlArrayIterator& operator++() {
    ++pos_;
    return *this;
  }
  StrictYamlArrayIterator operator++(int) {
    StrictYamlArrayIterator pre(*this);
    ++pos_;
    return pre;
  }
  const StrictYamlArrayIterator& operator--() {
    --pos_;
    return *this;
  }
  void advance(std::ptrdiff_t n) { pos_ += n; }

 private:
  YAML::Node seq_;
  std::size_t pos_;
};

class StrictYamlObjectIterator {
 public:
  using iterator_category = std::forward_iterator_tag;
  using value_type = StrictYamlObjectMember;
  using difference_type = StrictYamlObjectMember;
  using pointer = StrictYamlObjectMember*;
  using reference = StrictYamlObjectMember&;

  StrictYamlObjectIterator(const YAML::Node::const_iterator& it) : it_(it) {}  // NOLINT
  StrictYamlObjectMember operator*() const {
    return StrictYamlObjectMember(it_->first.Scalar(), StrictYamlAdapter(it_->second));
  }
  valijson::adapters::DerefProxy<StrictYamlObjectMember> operator->() const {
    return valijson::adapters::DerefProxy<StrictYamlObjectMember>(**this);
  }
  bool operator==(const StrictYamlObjectIterator& o) const { return it_ == o.it_; }
  bool operator!=(const StrictYamlObjectIterator& o) const { return !(it_ == o.it_); }
  const StrictYamlObjectIterator& operator++() {
    ++it_;
    return *this;
  }
  StrictYamlObjectIterator operator++(int) {
    StrictYamlObjectIterator pre(it_);
    ++it_;
    return pre;
  }

 private:
  YAML::Node::const_iterator it_;
};

inline StrictYamlArrayIterator StrictYamlArray::begin() const { return StrictYamlArrayIterator(value_, 0); }
inline StrictYamlArrayIterator StrictYamlArray::end() const { return StrictYamlArrayIterator(value_, value_.size()); }
inline StrictYamlObjectIterator StrictYamlObject::begin() const { return value_.begin(); }
inline StrictYamlObjectIterator StrictYamlObject::end() const { return value_.end(); }
inline StrictYamlObjectIterator StrictYamlObject::find(const std::string& name) const {
  for (auto it = value_.begin(); it != value_.end(); ++it) {
    if (it->first.IsScalar() && it->first.Scalar() == name) return StrictYamlObjectIterator(it);
  }
  return end();
}
inline bool StrictYamlFrozenValue::equalTo(const valijson::adapters::Adapter& other, bool strict) const {
  return StrictYamlAdapter(value_).equalTo(other, strict);
}

}  // namespace dsar::workflow

template <>
struct valijson::adapters::AdapterTraits<dsar::workflow::StrictYamlAdapter> {
  using DocumentType = YAML::Node;
  static std::string adapterName() { return "StrictYamlAdapter"; }
};
