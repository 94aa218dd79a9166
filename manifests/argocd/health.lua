-- Argo CD health of a helm.steersman.dev HelmRelease, read from the status the operator writes
-- (kstatus conditions: Ready, Released, Reconciling, Stalled, each with observedGeneration).
-- A condition about an older generation says nothing about the current spec, so it only ever
-- makes the answer Progressing. Install: argocd-cm.yaml next to this file.
local hs = {}
local generation = obj.metadata ~= nil and obj.metadata.generation or nil

local function about_current_spec(condition)
  if generation == nil or condition.observedGeneration == nil then
    return true
  end
  return condition.observedGeneration >= generation
end

local function say(status, message)
  hs.status = status
  hs.message = message
  return hs
end

if obj.spec ~= nil and obj.spec.suspend == true then
  return say("Suspended", "HelmRelease is suspended (spec.suspend)")
end

local found = {}
if obj.status ~= nil and obj.status.conditions ~= nil then
  for _, condition in ipairs(obj.status.conditions) do
    if condition.type ~= nil then
      found[condition.type] = condition
    end
  end
end
local ready, stalled = found["Ready"], found["Stalled"]
local released, reconciling = found["Released"], found["Reconciling"]

if ready == nil then
  return say("Progressing", "Waiting for the operator to reconcile the HelmRelease")
end
if stalled ~= nil and stalled.status == "True" and about_current_spec(stalled) then
  return say("Degraded", "Stalled (" .. (stalled.reason or "") .. "): " .. (stalled.message or ""))
end
if reconciling ~= nil and reconciling.status == "True" then
  return say("Progressing", reconciling.message or "Reconciling")
end
if not about_current_spec(ready) then
  return say("Progressing", "Waiting for the operator to reconcile generation " .. generation)
end
local observed = obj.status.observedGeneration
if ready.status == "True" then
  if generation ~= nil and observed ~= nil and observed < generation then
    return say("Progressing", "Waiting for the operator to reconcile generation " .. generation)
  end
  return say("Healthy", ready.message or "Ready")
end
if ready.status == "Unknown" then
  return say("Progressing", ready.message or "Reconciling")
end
-- Ready=False: waiting for a dependency is progress; anything else is a failure (retries may
-- follow, but the release is not what the spec asks for now).
if ready.reason == "DependencyNotReady" or ready.reason == "DependencyNotFound" then
  return say("Progressing", ready.message or ready.reason)
end
if released ~= nil and released.status == "False" and about_current_spec(released) then
  return say("Degraded", released.message or ready.message or "Release failed")
end
return say("Degraded", ready.message or ready.reason or "Not ready")
