#include "mail/gmime_support.h"

#include <mutex>

namespace dsar::mail {

void InitGMimeOnce() {
  static std::once_flag once;
  std::call_once(once, [] { g_mime_init(); });
}

}  // namespace dsar::mail
