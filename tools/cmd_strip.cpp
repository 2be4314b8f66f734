// SPDX-License-Identifier: GPL-2.0-only
// bootseal strip: removes the bootseal trailer from a kernel image (its
// command line is in main.cpp).
#include <iostream>

#include "bootseal/trailer.hpp"
#include "commands.hpp"
#include "common.hpp"
#include "error_exits.hpp"
#include "exit_codes.hpp"

namespace bootseal::tool {

int run_strip(const StripOptions& o) {
  auto t = read_trailer(o.kernel);
  if (!t) return fail(t);
  if (t->location.status == TrailerStatus::absent) return fail(exit_code_for(TrailerFault::absent), o.kernel + ": carries no bootseal trailer");
  if (t->location.status == TrailerStatus::corrupt)
    return fail(exit_code_for(t->location.error->kind),
                o.kernel + ": its bootseal trailer footer is corrupt (" + t->location.error->message +
                                  "); the original length is unknown, not stripping");
  auto r = strip_trailer(o.kernel);
  if (!r) return fail(r);
  std::cout << o.kernel << ": removed the bootseal trailer (" << r->removed << " bytes); " << r->image_length
            << " bytes of the original image remain\n";
  return kExitOk;
}

}  // namespace bootseal::tool
