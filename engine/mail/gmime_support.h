// What the GMime users of this module (parse, compose, the RFC 2047 guard) share: one
// g_mime_init per process and an owning pointer for GObjects. Thread-safe.
#pragma once

#include <gmime/gmime.h>

#include <memory>

namespace dsar::mail {

// Calls g_mime_init() once per process (std::call_once); every GMime call comes after it.
void InitGMimeOnce();

struct GObjectUnref {
  void operator()(void* p) const {
    if (p) g_object_unref(p);
  }
};

// Owns one reference to a GObject (released with g_object_unref).
template <typename T>
using GPtr = std::unique_ptr<T, GObjectUnref>;

// Frees a string GMime returns for the caller to free (g_free).
struct GFreeDeleter {
  void operator()(void* p) const { g_free(p); }
};

}  // namespace dsar::mail
