-- 014_volume_walk.sql - from a node's mount to the Longhorn volume, its
-- PVC, share manager, pods and StorageClass: the "which volume is this?"
-- walk a support engineer does by hand, as a view.
--
-- One row per mount fact (so every row keeps its provenance: input,
-- member, line) that is an NFS mount or a kubelet CSI pod-volume mount:
--   <share-manager-ip>:/<volume> on .../globalmount             (the node's staging mount)
--   <share-manager-ip>:/<volume> on <kubelet>/pods/<uid>/volumes/kubernetes.io~csi/<pv>/mount
-- The Longhorn NFS export is the volume's name; a kubelet path names the
-- pod (by UID) and the PV. Everything else comes from the case's bundle
-- YAMLs (v_k8s), and is NULL where the bundle does not hold it: pods and
-- PVCs of application namespaces other than default, kube-system and
-- cattle-system are not collected by support-bundle-kit.
-- A copy of another input (bundles.dup_of) is not walked twice.

CREATE INDEX k8s_objects_kind ON k8s_objects (bundle_id, kind, name);

CREATE VIEW v_volume_walk AS
SELECT w.case_id, w.case_node, w.source, w.target, w.fstype, w.nfs_vers,
       w.server, w.volume, w.pod_uid, w.pv,
       (SELECT value FROM v_k8s k WHERE k.case_id = w.case_id AND k.kind = 'Volume' AND k.name = w.volume
         AND k.path = 'spec.accessMode' LIMIT 1) AS access_mode,
       (SELECT value FROM v_k8s k WHERE k.case_id = w.case_id AND k.kind = 'Volume' AND k.name = w.volume
         AND k.path = 'status.state' LIMIT 1) AS volume_state,
       (SELECT value FROM v_k8s k WHERE k.case_id = w.case_id AND k.kind = 'Volume' AND k.name = w.volume
         AND k.path = 'status.robustness' LIMIT 1) AS robustness,
       (SELECT value FROM v_k8s k WHERE k.case_id = w.case_id AND k.kind = 'Volume' AND k.name = w.volume
         AND k.path = 'status.kubernetesStatus.namespace' LIMIT 1) AS pvc_namespace,
       (SELECT value FROM v_k8s k WHERE k.case_id = w.case_id AND k.kind = 'Volume' AND k.name = w.volume
         AND k.path = 'status.kubernetesStatus.pvcName' LIMIT 1) AS pvc,
       (SELECT value FROM v_k8s k WHERE k.case_id = w.case_id AND k.kind = 'ShareManager' AND k.name = w.volume
         AND k.path = 'status.state' LIMIT 1) AS share_manager_state,
       (SELECT value FROM v_k8s k WHERE k.case_id = w.case_id AND k.kind = 'ShareManager' AND k.name = w.volume
         AND k.path = 'status.ownerID' LIMIT 1) AS share_manager_node,
       (SELECT k.name FROM v_k8s k WHERE k.case_id = w.case_id AND k.kind = 'Pod'
         AND k.namespace = 'longhorn-system' AND k.name = 'share-manager-' || w.volume LIMIT 1) AS share_manager_pod,
       (SELECT k.name FROM v_k8s k WHERE k.case_id = w.case_id AND k.kind = 'Pod'
         AND k.path = 'metadata.uid' AND k.value = w.pod_uid LIMIT 1) AS pod,
       (SELECT k.namespace FROM v_k8s k WHERE k.case_id = w.case_id AND k.kind = 'Pod'
         AND k.path = 'metadata.uid' AND k.value = w.pod_uid LIMIT 1) AS pod_namespace,
       (SELECT o.value || '/' || n.value FROM v_k8s u
         JOIN v_k8s o ON o.bundle_id = u.bundle_id AND o.kind = 'Pod' AND o.namespace IS u.namespace
              AND o.name = u.name AND o.path = 'metadata.ownerReferences[0].kind'
         JOIN v_k8s n ON n.bundle_id = u.bundle_id AND n.kind = 'Pod' AND n.namespace IS u.namespace
              AND n.name = u.name AND n.path = 'metadata.ownerReferences[0].name'
         WHERE u.case_id = w.case_id AND u.kind = 'Pod' AND u.path = 'metadata.uid' AND u.value = w.pod_uid
         LIMIT 1) AS workload,
       (SELECT value FROM v_k8s k WHERE k.case_id = w.case_id AND k.kind = 'PersistentVolume'
         AND k.name = coalesce(w.pv, w.volume) AND k.path = 'spec.storageClassName' LIMIT 1) AS storage_class,
       (SELECT s.value FROM v_k8s p JOIN v_k8s s ON s.bundle_id = p.bundle_id AND s.kind = 'StorageClass'
              AND s.name = p.value AND s.path = 'parameters.nfsOptions'
         WHERE p.case_id = w.case_id AND p.kind = 'PersistentVolume' AND p.name = coalesce(w.pv, w.volume)
           AND p.path = 'spec.storageClassName' LIMIT 1) AS storage_class_nfs_options,
       w.member, w.line, w.bundle_id, w.node
FROM (
    SELECT x.*,
           -- the export, else the PV's volume handle, else the PV's name
           coalesce(x.export,
                    (SELECT value FROM v_k8s k WHERE k.case_id = x.case_id AND k.kind = 'PersistentVolume'
                      AND k.name = x.pv AND k.path = 'spec.csi.volumeHandle' LIMIT 1),
                    x.pv) AS volume
    FROM (
        SELECT y.*,
               CASE WHEN y.kubelet IS NOT NULL THEN substr(y.kubelet, 1, instr(y.kubelet, '/') - 1) END AS pod_uid,
               CASE WHEN y.kubelet IS NOT NULL
                    THEN substr(y.kubelet, instr(y.kubelet, '/volumes/kubernetes.io~csi/') + 27,
                                length(y.kubelet) - instr(y.kubelet, '/volumes/kubernetes.io~csi/') - 32) END AS pv
        FROM (
            SELECT t.case_id, t.case_node, t.node, t.source, t.target, t.fstype, t.nfs_vers,
                   t.member, t.line, t.bundle_id,
                   CASE WHEN t.nfs AND instr(t.source, ':/') > 1
                        THEN substr(t.source, 1, instr(t.source, ':/') - 1) END AS server,
                   CASE WHEN t.nfs AND instr(t.source, ':/') > 1
                        THEN nullif(rtrim(substr(t.source, instr(t.source, ':/') + 2), '/'), '') END AS export,
                   -- "<uid>/volumes/kubernetes.io~csi/<pv>/mount" after the last "/pods/"
                   CASE WHEN t.target LIKE '%/pods/%/volumes/kubernetes.io~csi/%/mount'
                        THEN substr(t.target, instr(t.target, '/pods/') + 6) END AS kubelet
            FROM (SELECT v.*, (v.fstype LIKE 'nfs%' OR v.nfs_vers IS NOT NULL) AS nfs FROM v_mounts v) t
            JOIN bundles b ON b.id = t.bundle_id
            WHERE b.dup_of IS NULL
              AND (t.nfs OR t.target LIKE '%/pods/%/volumes/kubernetes.io~csi/%/mount')
        ) y
    ) x
) w;

-- A frame printed with '?' is a stale return address the unwinder was not
-- sure of (Documentation/admin-guide/bug-hunting.rst): the report's
-- anomalies skip them when they say where a hung task waits.
DROP VIEW v_stacks;
CREATE VIEW v_stacks AS
SELECT b.name AS bundle, s.node, s.pid, f.depth, f.symbol, f.module,
       m.path AS member, f.line, s.origin, s.id AS stack_id,
       s.bundle_id, b.case_id,
       coalesce((SELECT a.node FROM node_aliases a WHERE a.case_id = b.case_id AND a.alias = s.node),
                s.node, b.host) AS case_node,
       f.uncertain
FROM stack_frames f JOIN stacks s ON s.id = f.stack_id
JOIN bundles b ON b.id = s.bundle_id JOIN members m ON m.id = s.member_id;
