// SPDX-License-Identifier: GPL-2.0-only
// bootseal slots: shows a partition's header copies and slots, as text or
// JSON (its command line is in main.cpp).
#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "common.hpp"
#include "error_exits.hpp"
#include "exit_codes.hpp"

namespace bootseal::tool {

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

}  // namespace bootseal::tool
