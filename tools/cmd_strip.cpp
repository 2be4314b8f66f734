// SPDX-License-Identifier: GPL-2.0-only
// bootseal strip --kernel IMAGE
#include <iostream>
#include <memory>

#include "bootseal/trailer.hpp"
#include "common.hpp"
#include "error_exits.hpp"
#include "exit_codes.hpp"

namespace bootseal::tool {
namespace {

struct StripOptions {
  std::string kernel;
};

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

}  // namespace

void setup_strip(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<StripOptions>();
  auto* sub = app.add_subcommand("strip", "Remove the bootseal trailer from a kernel image, restoring its exact bytes.");
  sub->add_option("--kernel,-k", o->kernel, "The kernel image (symlinks are followed)")->required();
  sub->footer("Refused (exit 3) when the image carries no trailer; exit 6 when its footer is corrupt.");
  sub->callback([o, &exit_code] { exit_code = run_strip(*o); });
}

}  // namespace bootseal::tool
