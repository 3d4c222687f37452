import { Select } from 'antd';
import { useUnits } from '../directory/units';

const TYPE_LABEL = { community: '社区', department: '科室', station: '站所' } as const;

/** A handling unit of the directory, by name; the value is its code, which is what `dispatch` takes. */
export function UnitPicker({ value, onChange, id }: { value?: string; onChange?: (value: string) => void; id?: string }) {
  const { units, loading } = useUnits();
  return (
    <Select
      id={id}
      value={value}
      onChange={onChange}
      loading={loading}
      showSearch={{ optionFilterProp: 'label' }}
      placeholder="选择承办单位"
      options={(['community', 'department', 'station'] as const).map((type) => ({
        label: TYPE_LABEL[type],
        title: TYPE_LABEL[type],
        options: units.filter((unit) => unit.active && unit.type === type).map((unit) => ({ value: unit.code, label: unit.name })),
      }))}
    />
  );
}
