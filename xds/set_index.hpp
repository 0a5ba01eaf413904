#pragma once

/// Indexes of a key to a set of names (a service's member workloads, an alias's resources), as the
/// xDS tables keep them: a key is present only while its set is not empty.
namespace ambient::xds {

/// Removes `value` from the set at `key` of `index`, dropping the set when it empties.
template <class Index, class Key, class Value>
void unlink(Index& index, const Key& key, const Value& value) {
  if (auto it = index.find(key);
      it != index.end() && it->second.erase(value) > 0 && it->second.empty())
    index.erase(it);
}

} // namespace ambient::xds
