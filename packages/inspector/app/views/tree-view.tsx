/** Supervision tree: supervisors and their children as nested lists; a node opens its detail. */
import type { TreeNode } from '../../src/feed-protocol.js';
import type { FeedStore } from '../feed-store.js';
import { useFeedStore } from '../feed-store.js';
import { actorHref } from '../route.js';

function TreeItem({ node }: { readonly node: TreeNode }) {
  const hidden = node.childCount - node.children.length;
  return (
    <li data-tree-node={node.id} data-kind={node.kind} class={`tree-node kind-${node.kind}`}>
      <a class="tree-label" href={actorHref(node.id)}>
        <span class={`badge ${node.kind}`}>{node.kind === 'supervisor' ? 'sup' : 'worker'}</span>
        <span class="mono">{node.id}</span>
        {node.name !== undefined && <span class="tree-name">{node.name}</span>}
        <span class="tree-state">{node.state}</span>
        {node.childCount > 0 && <span class="muted small">{node.childCount} children</span>}
      </a>
      {(node.children.length > 0 || hidden > 0) && (
        <ul class="tree-children">
          {node.children.map((child) => (
            <TreeItem key={child.id} node={child} />
          ))}
          {hidden > 0 && <li class="tree-more muted">… {hidden.toLocaleString('en-US')} more</li>}
        </ul>
      )}
    </li>
  );
}

export function TreeView({ store }: { readonly store: FeedStore }) {
  const { tree } = useFeedStore(store);
  return (
    <section data-view="tree" class="view">
      <h1>Supervision tree</h1>
      {!tree && <p class="muted">Waiting for the first update…</p>}
      {tree && tree.roots.length === 0 && <p class="muted">No processes.</p>}
      {tree && (
        <ul class="tree">
          {tree.roots.map((node) => (
            <TreeItem key={node.id} node={node} />
          ))}
        </ul>
      )}
    </section>
  );
}
