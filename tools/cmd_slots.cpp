// SPDX-License-Identifier: GPL-2.0-only
// bootseal slots [--json] [--trust PEM_OR_DIR] [--partition N] DEVICE
#include <iostream>
#include <memory>

#include "common.hpp"
#include "error_exits.hpp"
#include "exit_codes.hpp"

namespace bootseal::tool {
namespace {

struct SlotsOptions {
  std::string trust;
  std::string device;
  std::optional<int> partition;
  bool json = false;
};

int run_slots(const SlotsOptions& o) {
  auto trust = load_trust(o.trust, false);
  if (!trust) return fail(trust);
  auto target = resolve_target(o.device, o.partition, true);
  if (!target) return fail(target);
  auto dev = open_target(*target, false);
  if (!dev) return fail(dev);
  auto st = read_partition(**dev, trust->get());
  if (!st) return fail(kExitCorrupt, st.error());
  const view::PartitionView v = view::partition_view(*st, trust->view());
  if (o.json)
    std::cout << view::to_json(v).dump(2) << "\n";
  else
    print_partition(std::cout, v);
  return st->serving ? kExitOk : kExitNoPolicy;
}

}  // namespace

void setup_slots(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<SlotsOptions>();
  auto* sub = app.add_subcommand("slots", "Show the partition's header copies, both slots and which one serves.");
  sub->add_flag("--json", o->json, "Machine-readable output");
  add_trust_option(sub, o->trust);
  sub->add_option("--partition,-p", o->partition, "Use partition N of DEVICE")->check(CLI::PositiveNumber);
  sub->add_option("DEVICE", o->device, "The bootseal partition, or a disk (image) holding one")->required();
  sub->footer(
      "Each slot is ok (serves), obsolete (valid but older, or below the floor), corrupt (with the\n"
      "reason and offset), empty or io-error. Without a trust store (default " +
      std::string(kDefaultTrustStore) +
      ") signatures are not\nchecked. Exit 0 when a slot serves, 5 when none does, 6 when no header copy is valid.");
  sub->callback([o, &exit_code] { exit_code = run_slots(*o); });
}

}  // namespace bootseal::tool
